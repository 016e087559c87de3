// Package clickhouse holds what moose-dev knows about ClickHouse: how infra
// types and tables render as DDL (as upstream renders them), how plan
// operations become statements, how a live server is read back into an
// infra.Map, and a client that runs it all over clickhouse-go's HTTP
// protocol.
package clickhouse

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/moose-dev/moose-dev/infra"
)

// Quote backticks an identifier. ClickHouse reads backslash escapes inside
// backticks (`a\tb` names a table with a tab), so a backslash is doubled.
func Quote(name string) string { return infra.QuoteIdent(name) }

// QuoteString single-quotes a string literal.
func QuoteString(s string) string { return infra.QuoteString(s) }

// TypeSQL renders a column type as ClickHouse spells it (upstream's
// mapper: Date is Date32, Date16 is Date, DateTime is DateTime('UTC')).
func TypeSQL(t infra.ColumnType) (string, error) {
	switch t := t.(type) {
	case infra.Scalar:
		switch t {
		case infra.DateTime:
			return "DateTime('UTC')", nil
		case infra.Date:
			return "Date32", nil
		case infra.Date16:
			return "Date", nil
		case infra.JSON:
			return "JSON", nil
		case infra.BigInt, infra.Bytes:
			return "", fmt.Errorf("type %s is not supported by ClickHouse tables", t)
		}
		return string(t), nil
	case infra.FixedString:
		return fmt.Sprintf("FixedString(%d)", t.Length), nil
	case infra.Decimal:
		return fmt.Sprintf("Decimal(%d, %d)", t.Precision, t.Scale), nil
	case infra.DateTime64:
		return fmt.Sprintf("DateTime64(%d)", t.Precision), nil
	case infra.Enum:
		parts := make([]string, len(t.Values))
		for i, m := range t.Values {
			if m.Value.Str != nil {
				parts[i] = QuoteString(*m.Value.Str)
			} else if m.Value.Int != nil {
				parts[i] = fmt.Sprintf("%s = %d", QuoteString(m.Name), *m.Value.Int)
			}
		}
		return "Enum(" + strings.Join(parts, ", ") + ")", nil
	case infra.Array:
		el, err := TypeSQL(t.Element)
		if err != nil {
			return "", err
		}
		if t.ElementNullable {
			el = "Nullable(" + el + ")"
		}
		return "Array(" + el + ")", nil
	case infra.Nullable:
		in, err := TypeSQL(t.Inner)
		if err != nil {
			return "", err
		}
		if _, ok := t.Inner.(infra.Array); ok {
			return in, nil
		}
		return "Nullable(" + in + ")", nil
	case infra.MapType:
		k, err := TypeSQL(t.Key)
		if err != nil {
			return "", err
		}
		v, err := TypeSQL(t.Value)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("Map(%s, %s)", k, v), nil
	case infra.NamedTuple:
		parts := make([]string, len(t.Fields))
		for i, f := range t.Fields {
			ft, err := TypeSQL(f.Type)
			if err != nil {
				return "", err
			}
			parts[i] = Quote(f.Name) + " " + ft
		}
		return "Tuple(" + strings.Join(parts, ", ") + ")", nil
	case infra.Nested:
		parts := make([]string, len(t.Columns))
		for i, c := range t.Columns {
			ct, err := columnTypeSQL(c)
			if err != nil {
				return "", err
			}
			parts[i] = Quote(c.Name) + " " + ct
		}
		return "Nested(" + strings.Join(parts, ", ") + ")", nil
	case infra.JSONOptions:
		var parts []string
		if t.MaxDynamicPaths != nil {
			parts = append(parts, fmt.Sprintf("max_dynamic_paths=%d", *t.MaxDynamicPaths))
		}
		if t.MaxDynamicTypes != nil {
			parts = append(parts, fmt.Sprintf("max_dynamic_types=%d", *t.MaxDynamicTypes))
		}
		for _, f := range t.TypedPaths {
			ft, err := TypeSQL(f.Type)
			if err != nil {
				return "", err
			}
			parts = append(parts, f.Name+" "+ft)
		}
		for _, s := range t.SkipPaths {
			parts = append(parts, "SKIP "+s)
		}
		for _, s := range t.SkipRegexps {
			parts = append(parts, "SKIP REGEXP "+QuoteString(s))
		}
		if len(parts) == 0 {
			return "JSON", nil
		}
		return "JSON(" + strings.Join(parts, ", ") + ")", nil
	}
	return "", fmt.Errorf("unknown column type %T", t)
}

func isArrayOrNested(t infra.ColumnType) bool {
	switch t.(type) {
	case infra.Array, infra.Nested:
		return true
	}
	return false
}

// columnTypeSQL is the full type of a column: aggregate wrappers,
// LowCardinality, then Nullable for optional columns (never on Array or
// Nested), as upstream's mapper wraps them.
func columnTypeSQL(c infra.Column) (string, error) {
	t, err := TypeSQL(c.DataType)
	if err != nil {
		return "", fmt.Errorf("column %q: %w", c.Name, err)
	}
	for _, a := range c.Annotations {
		switch a.Key {
		case "simpleAggregationFunction":
			var f struct {
				Name string `json:"functionName"`
			}
			if err := json.Unmarshal(a.Value, &f); err != nil {
				return "", fmt.Errorf("column %q: %w", c.Name, err)
			}
			t = fmt.Sprintf("SimpleAggregateFunction(%s, %s)", f.Name, t)
		case "aggregationFunction":
			var f struct {
				Name string            `json:"functionName"`
				Args []json.RawMessage `json:"argumentTypes"`
			}
			if err := json.Unmarshal(a.Value, &f); err != nil {
				return "", fmt.Errorf("column %q: %w", c.Name, err)
			}
			parts := []string{f.Name}
			for _, raw := range f.Args {
				at, err := infra.UnmarshalColumnType(raw)
				if err != nil {
					return "", fmt.Errorf("column %q: %w", c.Name, err)
				}
				s, err := TypeSQL(at)
				if err != nil {
					return "", err
				}
				parts = append(parts, s)
			}
			t = "AggregateFunction(" + strings.Join(parts, ", ") + ")"
		}
	}
	if c.HasAnnotation("LowCardinality") {
		t = "LowCardinality(" + t + ")"
	}
	if _, isNullable := c.DataType.(infra.Nullable); !isNullable && !c.Required && !isArrayOrNested(c.DataType) {
		t = "Nullable(" + t + ")"
	}
	return t, nil
}

// ColumnSQL renders a column definition:
// `name Type [NOT NULL][ DEFAULT|MATERIALIZED|ALIAS e][ COMMENT '..'][ CODEC(..)][ TTL ..]`.
func ColumnSQL(c infra.Column) (string, error) {
	t, err := columnTypeSQL(c)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString(Quote(c.Name) + " " + t)
	if !strings.HasPrefix(t, "Nullable(") {
		b.WriteString(" NOT NULL")
	}
	switch {
	case c.Default != nil:
		b.WriteString(" DEFAULT " + *c.Default)
	case c.Materialized != nil:
		b.WriteString(" MATERIALIZED " + *c.Materialized)
	case c.Alias != nil:
		b.WriteString(" ALIAS " + *c.Alias)
	}
	if comment := ColumnComment(c); comment != "" {
		b.WriteString(" COMMENT " + QuoteString(comment))
	}
	if c.Codec != nil {
		b.WriteString(" CODEC(" + *c.Codec + ")")
	}
	if c.TTL != nil {
		b.WriteString(" TTL " + *c.TTL)
	}
	return b.String(), nil
}

func tableRef(db, name string) string { return Quote(db) + "." + Quote(name) }

func orderBySQL(o infra.OrderBy) string {
	if o.IsExpr {
		return o.Expr
	}
	q := make([]string, len(o.Fields))
	for i, f := range o.Fields {
		q[i] = Quote(f)
	}
	return "(" + strings.Join(q, ", ") + ")"
}

// RuntimeEnvPrefix marks a value the library reads from the environment
// when the DDL runs (moose-lib's mooseRuntimeEnv.get("NAME")).
const RuntimeEnvPrefix = "__MOOSE_RUNTIME_ENV__:"

// ResolveRuntimeEnv is a value with its runtime-environment marker
// resolved; a variable that is not set leaves the marker, which ClickHouse
// then refuses as a credential.
func ResolveRuntimeEnv(v string) string {
	if name, ok := strings.CutPrefix(v, RuntimeEnvPrefix); ok && name != "" {
		if val, set := os.LookupEnv(name); set {
			return val
		}
	}
	return v
}

// EngineSQL renders a table engine with its constructor arguments, as
// upstream's queries.rs does for production (a Replicated engine without
// keeper_path and replica_name gets none: the server's defaults).
func EngineSQL(e infra.Engine) string { return engineSQL(e, "") }

// DevReplicationArgs are the Keeper path and replica upstream gives a
// Replicated engine that names none, in dev and without a cluster (where
// the server's {uuid} default does not apply); the dev server's macros
// fill them in.
func DevReplicationArgs(table string) (keeperPath, replica string) {
	return "/clickhouse/tables/{database}/{shard}/" + table, "{replica}"
}

// engineSQL renders an engine; devTable, when not empty, is the table a
// dev ClickHouse without a cluster creates (Replicated engines then get
// DevReplicationArgs).
func engineSQL(e infra.Engine, devTable string) string {
	name := e.Name
	if name == "" {
		name = "MergeTree"
	}
	str := func(k string) (string, bool) {
		v, ok := e.Params[k].(string)
		return ResolveRuntimeEnv(v), ok && v != ""
	}
	lit := func(k string) string { v, _ := str(k); return QuoteString(v) }
	num := func(k string) string { return fmt.Sprint(e.Params[k]) }
	col := func(k string) string { v, _ := str(k); return Quote(v) }
	var args []string
	replicated := strings.HasPrefix(name, "Replicated")
	if replicated {
		kp, ok1 := str("keeper_path")
		rn, ok2 := str("replica_name")
		switch {
		case ok1 && ok2:
			args = append(args, QuoteString(kp), QuoteString(rn))
		case !ok1 && !ok2 && devTable != "":
			kp, rn := DevReplicationArgs(devTable)
			args = append(args, QuoteString(kp), QuoteString(rn))
		}
	}
	switch strings.TrimPrefix(name, "Replicated") {
	case "ReplacingMergeTree":
		if _, ok := str("ver"); ok {
			args = append(args, col("ver"))
			if _, ok := str("is_deleted"); ok {
				args = append(args, col("is_deleted"))
			}
		}
	case "CollapsingMergeTree":
		args = append(args, col("sign"))
	case "VersionedCollapsingMergeTree":
		args = append(args, col("sign"), col("version"))
	case "SummingMergeTree":
		if cols, ok := e.Params["columns"].([]any); ok && len(cols) > 0 {
			q := make([]string, len(cols))
			for i, c := range cols {
				q[i] = Quote(fmt.Sprint(c))
			}
			args = append(args, "("+strings.Join(q, ", ")+")")
		}
	case "S3Queue", "S3", "IcebergS3":
		pathKey := "path"
		if name == "S3Queue" {
			pathKey = "s3_path"
		}
		args = append(args, lit(pathKey))
		if _, ok := str("aws_access_key_id"); ok {
			args = append(args, lit("aws_access_key_id"), lit("aws_secret_access_key"))
		}
		args = append(args, lit("format"))
		if _, ok := str("compression"); ok {
			args = append(args, lit("compression"))
		}
		if name == "S3" {
			if _, ok := str("partition_strategy"); ok {
				args = append(args, lit("partition_strategy"))
			}
		}
	case "Buffer":
		args = append(args, lit("target_database"), lit("target_table"))
		for _, k := range []string{"num_layers", "min_time", "max_time", "min_rows", "max_rows", "min_bytes", "max_bytes"} {
			args = append(args, num(k))
		}
		if e.Params["flush_time"] != nil || e.Params["flush_rows"] != nil || e.Params["flush_bytes"] != nil {
			for _, k := range []string{"flush_time", "flush_rows", "flush_bytes"} {
				if e.Params[k] == nil {
					args = append(args, "0")
				} else {
					args = append(args, num(k))
				}
			}
		}
	case "Distributed":
		args = append(args, lit("cluster"), lit("target_database"), lit("target_table"))
		if v, ok := str("sharding_key"); ok {
			args = append(args, v)
			if _, ok := str("policy_name"); ok {
				args = append(args, lit("policy_name"))
			}
		}
	case "Kafka":
		args = append(args, lit("broker_list"), lit("topic_list"), lit("group_name"), lit("format"))
	case "Merge":
		args = append(args, lit("source_database"), lit("tables_regexp"))
	}
	if len(args) == 0 && !replicated {
		return name
	}
	return name + "(" + strings.Join(args, ", ") + ")"
}

func primaryKeySQL(t *infra.Table) string {
	if t.PrimaryKeyExpression != nil && *t.PrimaryKeyExpression != "" {
		return "(" + *t.PrimaryKeyExpression + ")"
	}
	var keys []string
	for _, c := range t.Columns {
		if c.PrimaryKey {
			keys = append(keys, Quote(c.Name))
		}
	}
	if len(keys) == 0 {
		return ""
	}
	return "(" + strings.Join(keys, ", ") + ")"
}

func settingValue(v string) string {
	if v == "" {
		return "''"
	}
	for _, r := range v {
		if (r < '0' || r > '9') && r != '.' && r != '-' {
			return QuoteString(v)
		}
	}
	return v
}

// CreateTableSQL renders upstream's CREATE TABLE IF NOT EXISTS for t in
// database db, for production.
func CreateTableSQL(db string, t *infra.Table) (string, error) {
	return Render{DB: db}.CreateTable(db, t)
}

// CreateTable renders CREATE TABLE of t in database db.
func (r Render) CreateTable(db string, t *infra.Table) (string, error) {
	if strings.HasPrefix(t.Engine.Name, "Replicated") {
		_, kp := t.Engine.Params["keeper_path"].(string)
		_, rn := t.Engine.Params["replica_name"].(string)
		if kp != rn {
			return "", fmt.Errorf("table %q: %s requires both keeper_path and replica_name, or neither", t.Name, t.Engine.Name)
		}
	}
	var defs []string
	for _, c := range t.Columns {
		s, err := ColumnSQL(c)
		if err != nil {
			return "", fmt.Errorf("table %q: %w", t.Name, err)
		}
		defs = append(defs, s)
	}
	for _, ix := range t.Indexes {
		args := ""
		if len(ix.Arguments) > 0 {
			args = "(" + strings.Join(ix.Arguments, ", ") + ")"
		}
		defs = append(defs, fmt.Sprintf("INDEX %s %s TYPE %s%s GRANULARITY %d", Quote(ix.Name), ix.Expression, ix.Type, args, ix.Granularity))
	}
	for _, p := range t.Projections {
		defs = append(defs, fmt.Sprintf("PROJECTION %s (%s)", Quote(p.Name), p.Body))
	}
	for _, c := range t.Constraints {
		defs = append(defs, fmt.Sprintf("CONSTRAINT %s %s %s", Quote(c.Name), c.Type, c.Expression))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "CREATE TABLE IF NOT EXISTS %s", tableRef(db, t.Name))
	b.WriteString(r.onCluster(t.ClusterName))
	engine := engineSQL(t.Engine, "")
	switch {
	case r.Keeperless && strings.HasPrefix(t.Engine.Name, "Replicated"):
		plain := t.Engine
		plain.Name = strings.TrimPrefix(plain.Name, "Replicated")
		engine = engineSQL(plain, "")
	case r.Dev && t.ClusterName == nil:
		engine = engineSQL(t.Engine, t.Name)
	}
	fmt.Fprintf(&b, "\n(\n  %s\n)\nENGINE = %s", strings.Join(defs, ",\n  "), engine)
	if t.Engine.IsMergeTreeFamily() {
		if pk := primaryKeySQL(t); pk != "" {
			b.WriteString("\nPRIMARY KEY " + pk)
		}
	}
	if t.PartitionBy != nil {
		b.WriteString("\nPARTITION BY " + *t.PartitionBy)
	}
	if t.SampleBy != nil {
		b.WriteString("\nSAMPLE BY " + *t.SampleBy)
	}
	if !t.OrderBy.Empty() {
		b.WriteString("\nORDER BY " + orderBySQL(t.OrderBy))
	} else if t.Engine.IsMergeTreeFamily() {
		return "", fmt.Errorf("table %q has no ORDER BY: mark a field Key[...] or set order_by_fields (or order_by_expression=\"tuple()\" for no sorting)", t.Name)
	}
	if t.TTL != nil {
		b.WriteString("\nTTL " + *t.TTL)
	}
	if len(t.TableSettings) > 0 {
		keys := slices.Sorted(maps.Keys(t.TableSettings))
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k + " = " + settingValue(t.TableSettings[k])
		}
		b.WriteString("\nSETTINGS " + strings.Join(parts, ", "))
	}
	return b.String(), nil
}

func dbOr(db *string, def string) string {
	if db != nil && *db != "" {
		return *db
	}
	return def
}

// Render turns plan operations into the statements one ClickHouse runs.
type Render struct {
	DB string // the database of operations that name none
	// Dev is a dev ClickHouse (upstream's is_dev): a Replicated table
	// without Keeper arguments or a cluster gets DevReplicationArgs.
	Dev bool
	// Keeperless is a server with neither Keeper nor clusters (the
	// embedded one): Replicated engines are created as their plain forms
	// (the same table on one node; ClickHouse reads both back in the same
	// family) and no statement runs ON CLUSTER.
	Keeperless bool
	// Views maps views and materialized views, by `db.name`, to the
	// cluster their DDL runs on (infra.ViewClusters).
	Views map[string]string
}

// OperationSQL renders one plan operation as the statements that apply it
// to a production ClickHouse, in upstream's forms. defaultDB is used where
// the operation names none; views is infra.ViewClusters of the maps the
// plan goes from and to (nil: no view is on a cluster).
func OperationSQL(op infra.Operation, defaultDB string, views map[string]string) ([]string, error) {
	return Render{DB: defaultDB, Views: views}.Operation(op)
}

// onCluster is the ON CLUSTER clause for cluster c on this server.
func (r Render) onCluster(c *string) string {
	if r.Keeperless {
		return ""
	}
	return infra.OnCluster(c)
}

// viewCluster is the ON CLUSTER clause of a view's DDL.
func (r Render) viewCluster(db *string, name string) string {
	c, ok := r.Views[infra.NameKey(db, name, r.DB)]
	if !ok {
		return ""
	}
	return r.onCluster(&c)
}

// Operation renders one operation.
func (r Render) Operation(op infra.Operation) ([]string, error) {
	defaultDB := r.DB
	switch o := op.(type) {
	case infra.CreateTable:
		s, err := r.CreateTable(o.Table.DatabaseOr(defaultDB), o.Table)
		return []string{s}, err
	case infra.DropTable:
		s := fmt.Sprintf("DROP TABLE IF EXISTS %s%s", tableRef(dbOr(o.Database, defaultDB), o.Table), r.onCluster(o.ClusterName))
		// SYNC: a name reused at once must not meet the old table's data
		// (Atomic databases drop lazily).
		return []string{s + " SYNC"}, nil
	case infra.AddTableColumn:
		col, err := ColumnSQL(o.Column)
		if err != nil {
			return nil, err
		}
		pos := " FIRST"
		if o.AfterColumn != nil {
			pos = " AFTER " + Quote(*o.AfterColumn)
		}
		return []string{fmt.Sprintf("ALTER TABLE %s%s ADD COLUMN %s%s", tableRef(dbOr(o.Database, defaultDB), o.Table), r.onCluster(o.ClusterName), col, pos)}, nil
	case infra.DropTableColumn:
		return []string{fmt.Sprintf("ALTER TABLE %s%s DROP COLUMN IF EXISTS %s", tableRef(dbOr(o.Database, defaultDB), o.Table), r.onCluster(o.ClusterName), Quote(o.ColumnName))}, nil
	case infra.ModifyTableColumn:
		return modifyColumnSQL(tableRef(dbOr(o.Database, defaultDB), o.Table)+r.onCluster(o.ClusterName), o.BeforeColumn, o.AfterColumn)
	case infra.RenameTableColumn:
		return []string{fmt.Sprintf("ALTER TABLE %s%s RENAME COLUMN %s TO %s", tableRef(dbOr(o.Database, defaultDB), o.Table), r.onCluster(o.ClusterName), Quote(o.BeforeColumnName), Quote(o.AfterColumnName))}, nil
	case infra.RawSQL:
		return o.SQL, nil
	case infra.ModifyTableSettings:
		ref := tableRef(dbOr(o.Database, defaultDB), o.Table) + r.onCluster(o.ClusterName)
		var set, reset []string
		for _, k := range slices.Sorted(maps.Keys(o.AfterSettings)) {
			if o.BeforeSettings[k] != o.AfterSettings[k] {
				set = append(set, k+" = "+settingValue(o.AfterSettings[k]))
			}
		}
		for _, k := range slices.Sorted(maps.Keys(o.BeforeSettings)) {
			if _, kept := o.AfterSettings[k]; !kept {
				reset = append(reset, k)
			}
		}
		var out []string
		if len(set) > 0 {
			out = append(out, fmt.Sprintf("ALTER TABLE %s MODIFY SETTING %s", ref, strings.Join(set, ", ")))
		}
		if len(reset) > 0 {
			out = append(out, fmt.Sprintf("ALTER TABLE %s RESET SETTING %s", ref, strings.Join(reset, ", ")))
		}
		return out, nil
	case infra.ModifyTableTtl:
		ref := tableRef(dbOr(o.Database, defaultDB), o.Table) + r.onCluster(o.ClusterName)
		if o.After == nil {
			return []string{"ALTER TABLE " + ref + " REMOVE TTL"}, nil
		}
		return []string{"ALTER TABLE " + ref + " MODIFY TTL " + *o.After}, nil
	case infra.AddTableIndex:
		ix := o.Index
		args := ""
		if len(ix.Arguments) > 0 {
			args = "(" + strings.Join(ix.Arguments, ", ") + ")"
		}
		return []string{fmt.Sprintf("ALTER TABLE %s%s ADD INDEX %s %s TYPE %s%s GRANULARITY %d", tableRef(dbOr(o.Database, defaultDB), o.Table),
			r.onCluster(o.ClusterName), Quote(ix.Name), ix.Expression, ix.Type, args, ix.Granularity)}, nil
	case infra.DropTableIndex:
		return []string{fmt.Sprintf("ALTER TABLE %s%s DROP INDEX IF EXISTS %s", tableRef(dbOr(o.Database, defaultDB), o.Table), r.onCluster(o.ClusterName), Quote(o.IndexName))}, nil
	case infra.AddTableProjection:
		return []string{fmt.Sprintf("ALTER TABLE %s%s ADD PROJECTION %s (%s)", tableRef(dbOr(o.Database, defaultDB), o.Table),
			r.onCluster(o.ClusterName), Quote(o.Projection.Name), o.Projection.Body)}, nil
	case infra.DropTableProjection:
		return []string{fmt.Sprintf("ALTER TABLE %s%s DROP PROJECTION IF EXISTS %s", tableRef(dbOr(o.Database, defaultDB), o.Table), r.onCluster(o.ClusterName), Quote(o.ProjectionName))}, nil
	case infra.ModifySampleBy:
		return []string{fmt.Sprintf("ALTER TABLE %s%s MODIFY SAMPLE BY %s", tableRef(dbOr(o.Database, defaultDB), o.Table), r.onCluster(o.ClusterName), o.Expression)}, nil
	case infra.RemoveSampleBy:
		return []string{fmt.Sprintf("ALTER TABLE %s%s REMOVE SAMPLE BY", tableRef(dbOr(o.Database, defaultDB), o.Table), r.onCluster(o.ClusterName))}, nil
	case infra.CreateMaterializedView:
		return []string{fmt.Sprintf("CREATE MATERIALIZED VIEW IF NOT EXISTS %s%s TO %s AS %s", tableRef(dbOr(o.Database, defaultDB), o.Name),
			r.viewCluster(o.Database, o.Name), tableRef(dbOr(o.TargetDatabase, defaultDB), o.TargetTable), o.SelectSQL)}, nil
	case infra.DropMaterializedView:
		return []string{"DROP VIEW IF EXISTS " + tableRef(dbOr(o.Database, defaultDB), o.Name) + r.viewCluster(o.Database, o.Name)}, nil
	case infra.CreateView:
		return []string{fmt.Sprintf("CREATE VIEW IF NOT EXISTS %s%s AS %s", tableRef(dbOr(o.Database, defaultDB), o.Name),
			r.viewCluster(o.Database, o.Name), o.SelectSQL)}, nil
	case infra.DropView:
		return []string{"DROP VIEW IF EXISTS " + tableRef(dbOr(o.Database, defaultDB), o.Name) + r.viewCluster(o.Database, o.Name)}, nil
	}
	return nil, fmt.Errorf("operation %s is not supported by the ClickHouse executor", op.OpName())
}

// modifyColumnSQL removes properties the new column no longer has, then
// modifies the column (upstream's sequence).
func modifyColumnSQL(ref string, before, after infra.Column) ([]string, error) {
	var out []string
	remove := func(had, has *string, what string) {
		if had != nil && has == nil {
			out = append(out, fmt.Sprintf("ALTER TABLE %s MODIFY COLUMN %s REMOVE %s", ref, Quote(after.Name), what))
		}
	}
	remove(before.Default, after.Default, "DEFAULT")
	remove(before.Materialized, after.Materialized, "MATERIALIZED")
	remove(before.Alias, after.Alias, "ALIAS")
	remove(before.TTL, after.TTL, "TTL")
	remove(before.Codec, after.Codec, "CODEC")
	// ClickHouse takes a Nullable column to a required one only with a
	// DEFAULT for the NULLs (none are left: the conversion check refuses
	// the change while any is); a default the code did not ask for is
	// removed right after
	tempDefault := !before.Required && after.Required && after.Default == nil && after.Materialized == nil && after.Alias == nil &&
		!isArrayOrNested(before.DataType)
	if tempDefault {
		typ, err := TypeSQL(after.DataType)
		if err != nil {
			return nil, err
		}
		d := "defaultValueOfTypeName(" + QuoteString(typ) + ")"
		after.Default = &d
	}
	col, err := ColumnSQL(after)
	if err != nil {
		return nil, err
	}
	col = strings.Replace(col, " NOT NULL", "", 1)
	out = append(out, fmt.Sprintf("ALTER TABLE %s MODIFY COLUMN IF EXISTS %s", ref, col))
	if tempDefault {
		out = append(out, fmt.Sprintf("ALTER TABLE %s MODIFY COLUMN %s REMOVE DEFAULT", ref, Quote(after.Name)))
	}
	return out, nil
}

// EnumMetadataPrefix marks the part of a column comment upstream reserves
// for the enum's definition, so that it reads back whole.
const EnumMetadataPrefix = "[MOOSE_METADATA:DO_NOT_MODIFY] "

// ColumnComment is the comment stored for a column: the user's comment and,
// for an enum, upstream's metadata after it.
func ColumnComment(c infra.Column) string {
	comment := ""
	if c.Comment != nil {
		comment = *c.Comment
	}
	e, ok := c.DataType.(infra.Enum)
	if !ok {
		return comment
	}
	md, _ := json.Marshal(map[string]any{"version": 1, "enum": map[string]any{"name": e.Name, "members": e.Values}})
	if comment != "" {
		comment += " "
	}
	return comment + EnumMetadataPrefix + string(md)
}
