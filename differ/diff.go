// Package differ turns two infrastructure maps (current, desired) into a
// closed vocabulary of changes, and changes into ordered plan operations.
// It is pure: no I/O, no server. It imports infra (and the SQL scanner)
// and nothing else of ours.
package differ

import (
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/moose-dev/moose-dev/infra"
	"github.com/moose-dev/moose-dev/internal/sqlscan"
)

// Change is one difference between the current and the desired map.
type Change interface{ isChange() }

// AddTable creates a table the code declares and the current map lacks.
type AddTable struct{ Table *infra.Table }

// DropTable drops a table the code no longer declares.
type DropTable struct{ Table *infra.Table }

// RecreateTable drops and recreates a table whose change ClickHouse cannot
// ALTER (ORDER BY, PARTITION BY, engine...). Reason says which. Columns is
// the column diff between the two definitions (as UpdateTable's), so that a
// recreate that keeps the rows knows which columns are renamed, and which
// the code dropped. Carry lists the columns the code dropped whose drop is
// not confirmed: a recreate that keeps the rows keeps them too, with their
// values (see Hold).
type RecreateTable struct {
	Before, After *infra.Table
	Reason        string
	Columns       []ColumnChange
	Carry         []infra.Column
	// KeepsRows is set (by SplitDestructive) when the recreate copies the
	// rows into the new table rather than dropping them.
	KeepsRows bool
}

// InvalidChange is a change moose-dev refuses to plan (a table moving to
// another database): it needs a manual migration.
type InvalidChange struct {
	Table  *infra.Table
	Reason string
	// Before is the table as it is, where there is one (the table the
	// code moves to another database).
	Before *infra.Table
}

// UpdateTable alters a table: its columns and the table-level properties
// ClickHouse can ALTER (settings, TTL, indexes, projections, SAMPLE BY).
type UpdateTable struct {
	Before, After *infra.Table
	Columns       []ColumnChange
	// Settings is set when alterable settings differ.
	Settings bool
	// TTL is set when the table TTL differs.
	TTL bool
	// SampleBy is set when SAMPLE BY differs.
	SampleBy         bool
	IndexesDropped   []infra.TableIndex
	IndexesAdded     []infra.TableIndex
	ProjectionsDrop  []infra.TableProjection
	ProjectionsAdded []infra.TableProjection
}

// ColumnChangeKind says what happens to a column.
type ColumnChangeKind int

// Column change kinds.
const (
	ColumnAdded ColumnChangeKind = iota
	ColumnRemoved
	ColumnModified
)

// ColumnChange is one column's change inside an UpdateTable. After is the
// name of the column the added column follows (nil: first).
type ColumnChange struct {
	Kind          ColumnChangeKind
	Before, After infra.Column
	AfterColumn   *string
}

// AddMaterializedView, DropMaterializedView and UpdateMaterializedView
// (drop + create) change materialized views; the view kinds likewise.
type (
	AddMaterializedView    struct{ View *infra.MaterializedView }
	DropMaterializedView   struct{ View *infra.MaterializedView }
	UpdateMaterializedView struct{ Before, After *infra.MaterializedView }
	AddView                struct{ View *infra.View }
	DropView               struct{ View *infra.View }
	UpdateView             struct{ Before, After *infra.View }
)

// AddTopic creates a topic.
type AddTopic struct{ Topic *infra.Topic }

// DropTopic deletes a topic.
type DropTopic struct{ Topic *infra.Topic }

// UpdateTopic changes a topic's partitions or retention.
type UpdateTopic struct{ Before, After *infra.Topic }

func (AddTable) isChange()      {}
func (InvalidChange) isChange() {}
func (DropTable) isChange()     {}
func (RecreateTable) isChange() {}
func (UpdateTable) isChange()   {}
func (AddTopic) isChange()      {}
func (DropTopic) isChange()     {}
func (UpdateTopic) isChange()   {}

func (AddMaterializedView) isChange()    {}
func (DropMaterializedView) isChange()   {}
func (UpdateMaterializedView) isChange() {}
func (AddView) isChange()                {}
func (DropView) isChange()               {}
func (UpdateView) isChange()             {}

// Diff compares current with desired. Changes come in upstream's section
// order (topics, API endpoints, web apps, tables, SQL resources,
// materialized views, views, processes, workflows), each section sorted by
// id, so the result is deterministic.
func Diff(current, desired *infra.Map) []Change {
	var out []Change
	out = append(out, diffTopics(current, desired)...)
	out = append(out, diffAPIs(current, desired)...)
	out = append(out, diffWebApps(current, desired)...)
	out = append(out, diffTables(current, desired)...)
	out = append(out, diffSQLResources(current, desired)...)
	out = append(out, diffViews(current, desired)...)
	out = append(out, diffProcesses(current, desired)...)
	out = append(out, diffWorkflows(current, desired)...)
	return out
}

// diffViews compares materialized views and views on normalized SQL, target
// and source tables, so that formatting alone never recreates a view.
func diffViews(current, desired *infra.Map) []Change {
	var out []Change
	for _, id := range union(slices.Sorted(maps.Keys(current.MaterializedViews)), slices.Sorted(maps.Keys(desired.MaterializedViews))) {
		b, inB := current.MaterializedViews[id]
		a, inA := desired.MaterializedViews[id]
		switch {
		case !inB:
			out = append(out, AddMaterializedView{a})
		case !inA:
			out = append(out, DropMaterializedView{b})
		case NormalizeSQL(b.SelectSQL, current.DefaultDatabase) != NormalizeSQL(a.SelectSQL, desired.DefaultDatabase) || b.TargetTable != a.TargetTable ||
			str(b.TargetDatabase) != str(a.TargetDatabase) || str(b.Database) != str(a.Database):
			out = append(out, UpdateMaterializedView{b, a})
		}
	}
	for _, id := range union(slices.Sorted(maps.Keys(current.Views)), slices.Sorted(maps.Keys(desired.Views))) {
		b, inB := current.Views[id]
		a, inA := desired.Views[id]
		switch {
		case !inB:
			out = append(out, AddView{a})
		case !inA:
			out = append(out, DropView{b})
		case NormalizeSQL(b.SelectSQL, current.DefaultDatabase) != NormalizeSQL(a.SelectSQL, desired.DefaultDatabase) || str(b.Database) != str(a.Database):
			out = append(out, UpdateView{b, a})
		}
	}
	return out
}

func diffTopics(current, desired *infra.Map) []Change {
	var out []Change
	for _, id := range union(current.TopicIDs(), desired.TopicIDs()) {
		before, inBefore := current.Topics[id]
		after, inAfter := desired.Topics[id]
		switch {
		case !inBefore:
			out = append(out, AddTopic{after})
		case !inAfter:
			out = append(out, DropTopic{before})
		case before.PartitionCount != after.PartitionCount || before.RetentionPeriod != after.RetentionPeriod:
			out = append(out, UpdateTopic{before, after})
		}
	}
	return out
}

func diffTables(current, desired *infra.Map) []Change {
	out := diffTablesByID(current, desired)
	return movedTables(out, current.DefaultDatabase)
}

// movedTables turns a table dropped in one database and created under the
// same name in another into an InvalidChange: moving a table is a manual
// migration (upstream's rule), never a silent drop of its rows.
func movedTables(changes []Change, defaultDB string) []Change {
	dropped := map[string]*infra.Table{}
	for _, c := range changes {
		if d, ok := c.(DropTable); ok {
			dropped[d.Table.Name] = d.Table
		}
	}
	moved := map[string]bool{}
	var out []Change
	for _, c := range changes {
		if a, ok := c.(AddTable); ok {
			if d, ok := dropped[a.Table.Name]; ok && d.DatabaseOr(defaultDB) != a.Table.DatabaseOr(defaultDB) {
				moved[a.Table.Name] = true
				from, to := d.DatabaseOr(defaultDB), a.Table.DatabaseOr(defaultDB)
				out = append(out, InvalidChange{Table: a.Table, Before: d, Reason: fmt.Sprintf("table %s moves from database %s to %s: moose-dev does not move tables "+
					"between databases (it would drop the rows); nothing was changed. To move it: declare the table again "+
					"under a new name or database, copy the rows (INSERT INTO %s.%s SELECT * FROM %s.%s), switch your code "+
					"to the new table, then remove the old declaration",
					a.Table.Name, from, to, to, a.Table.Name, from, a.Table.Name)})
				continue
			}
		}
		out = append(out, c)
	}
	var kept []Change
	for _, c := range out {
		if d, ok := c.(DropTable); ok && moved[d.Table.Name] {
			continue
		}
		kept = append(kept, c)
	}
	return kept
}

func diffTablesByID(current, desired *infra.Map) []Change {
	var out []Change
	for _, id := range union(current.TableIDs(), desired.TableIDs()) {
		before, inBefore := current.Tables[id]
		after, inAfter := desired.Tables[id]
		switch {
		case !inBefore:
			out = append(out, AddTable{after})
		case !inAfter:
			out = append(out, DropTable{before})
		default:
			if c := diffTable(before, after); c != nil {
				out = append(out, c)
			}
		}
	}
	return out
}

// diffTable decides between nothing, an ALTER and a recreate, in upstream's
// order: ORDER BY, PARTITION BY, engine, then columns.
func diffTable(before, after *infra.Table) Change {
	recreate := func(format string, args ...any) Change {
		return RecreateTable{Before: before, After: after, Reason: fmt.Sprintf(format, args...), Columns: diffColumns(before.Columns, after.Columns)}
	}
	switch {
	case normalizeExpr(before.OrderBy.String()) != normalizeExpr(after.OrderBy.String()):
		return recreate("ORDER BY changed from %s to %s", before.OrderBy, after.OrderBy)
	case primaryKey(before) != primaryKey(after):
		return recreate("primary key changed from (%s) to (%s)", primaryKey(before), primaryKey(after))
	case normalizeExpr(str(before.PartitionBy)) != normalizeExpr(str(after.PartitionBy)):
		return recreate("PARTITION BY changed from %q to %q", str(before.PartitionBy), str(after.PartitionBy))
	case engineKey(before.Engine) != engineKey(after.Engine):
		return recreate("engine changed from %s to %s", before.Engine.Name, after.Engine.Name)
	}
	if k, changed := readonlySettingChanged(before, after); changed {
		return recreate("setting %s cannot be changed on an existing table", k)
	}
	u := UpdateTable{Before: before, After: after, Columns: diffColumns(before.Columns, after.Columns)}
	if streaming := after.Engine.Name == "Kafka" || after.Engine.Name == "S3Queue"; streaming {
		switch {
		case after.Engine.Name == "Kafka" && !sameAlterableSettings(before, after):
			return recreate("settings of a Kafka engine table cannot be altered")
		case len(u.Columns) > 0:
			return recreate("columns of a %s engine table cannot be altered", after.Engine.Name)
		}
	}
	u.Settings = !sameAlterableSettings(before, after)
	u.TTL = !sameExpr(before.TTL, after.TTL, NormalizeTTL)
	u.SampleBy = normalizeExpr(str(before.SampleBy)) != normalizeExpr(str(after.SampleBy))
	u.IndexesDropped, u.IndexesAdded = diffByKey(before.Indexes, after.Indexes, func(i infra.TableIndex) string { return i.Name },
		func(i infra.TableIndex) string {
			return fmt.Sprint(normalizeExpr(i.Expression), i.Type, i.Arguments, i.Granularity)
		})
	u.ProjectionsDrop, u.ProjectionsAdded = diffByKey(before.Projections, after.Projections, func(p infra.TableProjection) string { return p.Name },
		func(p infra.TableProjection) string { return NormalizeSQL(p.Body) })
	if len(u.Columns) == 0 && !u.hasTableLevel() {
		return nil
	}
	return u
}

// hasTableLevel reports whether anything besides columns changes.
func (u UpdateTable) hasTableLevel() bool {
	return u.Settings || u.TTL || u.SampleBy || len(u.IndexesDropped) > 0 || len(u.IndexesAdded) > 0 ||
		len(u.ProjectionsDrop) > 0 || len(u.ProjectionsAdded) > 0
}

// readonlySettings cannot be ALTERed: a change means a new table. A
// missing value means ClickHouse's default.
var readonlySettings = map[string]string{"index_granularity": "8192", "index_granularity_bytes": "10485760",
	"enable_mixed_granularity_parts": "1", "add_minmax_index_for_numeric_columns": "0",
	"add_minmax_index_for_string_columns": "0", "table_disk": ""}

func settingOr(s map[string]string, k, def string) string {
	if v, ok := s[k]; ok {
		return v
	}
	return def
}

func readonlySettingChanged(before, after *infra.Table) (string, bool) {
	if !before.Engine.IsMergeTreeFamily() || !after.Engine.IsMergeTreeFamily() {
		return "", false
	}
	for k, def := range readonlySettings {
		if settingOr(before.TableSettings, k, def) != settingOr(after.TableSettings, k, def) {
			return k, true
		}
	}
	return "", false
}

func sameAlterableSettings(before, after *infra.Table) bool {
	for _, pair := range [][2]map[string]string{{before.TableSettings, after.TableSettings}, {after.TableSettings, before.TableSettings}} {
		for k, v := range pair[0] {
			if _, ro := readonlySettings[k]; ro {
				continue
			}
			if w, ok := pair[1][k]; !ok || w != v {
				return false
			}
		}
	}
	return true
}

// diffByKey compares two lists by name: an item whose body changed is
// dropped and added again.
func diffByKey[T any](before, after []T, name func(T) string, body func(T) string) (dropped, added []T) {
	old := map[string]T{}
	for _, b := range before {
		old[name(b)] = b
	}
	seen := map[string]bool{}
	for _, a := range after {
		seen[name(a)] = true
		if b, ok := old[name(a)]; !ok {
			added = append(added, a)
		} else if body(b) != body(a) {
			dropped, added = append(dropped, b), append(added, a)
		}
	}
	for _, b := range before {
		if !seen[name(b)] {
			dropped = append(dropped, b)
		}
	}
	return dropped, added
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func engineKey(e infra.Engine) string {
	b, _ := json.Marshal(e)
	return string(b)
}

// diffColumns compares by name, in the desired order: upstream's
// compute_table_columns_diff.
func diffColumns(before, after []infra.Column) []ColumnChange {
	old := columnFinder{cols: before}
	matched := make([]bool, len(before))
	var out []ColumnChange
	var prev *string
	for i, c := range after {
		if j, ok := old.find(c.Name, i); !ok {
			out = append(out, ColumnChange{Kind: ColumnAdded, After: c, AfterColumn: prev})
		} else {
			matched[j] = true
			if !ColumnsEquivalent(before[j], c) {
				out = append(out, ColumnChange{Kind: ColumnModified, Before: before[j], After: c})
			}
		}
		name := after[i].Name
		prev = &name
	}
	for j, c := range before {
		if !matched[j] {
			out = append(out, ColumnChange{Kind: ColumnRemoved, Before: c})
		}
	}
	return out
}

// columnFinder finds columns by name, trying a position first: two lists
// of a table's columns are mostly in the same order, and a map of
// thousands of tables' columns on every reload was most of its garbage.
type columnFinder struct {
	cols   []infra.Column
	byName map[string]int // built on the first miss
}

// find returns the index of the column named name, trying at first.
func (f *columnFinder) find(name string, at int) (int, bool) {
	if at < len(f.cols) && f.cols[at].Name == name {
		return at, true
	}
	if f.byName == nil {
		f.byName = make(map[string]int, len(f.cols))
		for i, c := range f.cols {
			if _, dup := f.byName[c.Name]; !dup {
				f.byName[c.Name] = i
			}
		}
	}
	i, ok := f.byName[name]
	return i, ok
}

// ColumnsEquivalent compares what ClickHouse stores of a column: name,
// nullability, default/materialized/alias, annotations, comment, TTL, codec
// and type (infra.TypesEqual). primary_key is not compared per column, nor
// is nullability between two arrays or nested types: ClickHouse cannot make
// them Nullable, so an optional list reads back as required (upstream's
// is_only_required_change_for_special_column_type).
func ColumnsEquivalent(a, b infra.Column) bool {
	required := a.Required == b.Required || neverNullable(a.DataType) && neverNullable(b.DataType)
	if a.Name != b.Name || !required || a.Unique != b.Unique ||
		!sameExpr(a.Default, b.Default, normalizeExpr) || !sameExpr(a.Materialized, b.Materialized, normalizeExpr) ||
		!sameExpr(a.Alias, b.Alias, normalizeExpr) || str(a.Comment) != str(b.Comment) ||
		!sameExpr(a.TTL, b.TTL, NormalizeTTL) || str(a.Codec) != str(b.Codec) && !CodecsEquivalent(str(a.Codec), str(b.Codec)) {
		return false
	}
	if (len(a.Annotations) != 0 || len(b.Annotations) != 0) && annotationsKey(a.Annotations) != annotationsKey(b.Annotations) {
		return false
	}
	return infra.TypesEqual(a.DataType, b.DataType)
}

func neverNullable(t infra.ColumnType) bool {
	switch t.(type) {
	case infra.Array, infra.Nested:
		return true
	}
	return false
}

func annotationsKey(as []infra.Annotation) string {
	keys := make([]string, len(as))
	for i, a := range as {
		keys[i] = a.Key + "=" + string(a.Value)
	}
	sort.Strings(keys)
	b, _ := json.Marshal(keys)
	return string(b)
}

func union(a, b []string) []string {
	set := map[string]bool{}
	for _, k := range a {
		set[k] = true
	}
	for _, k := range b {
		set[k] = true
	}
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// normalizeExpr compares expressions (keys, TTLs, defaults) as ClickHouse
// stores them: it rewrites `INTERVAL 30 DAY` as `toIntervalDay(30)` and
// `CAST(x AS T)` as `CAST(x, 'T')`, as ClickHouse's formatter does, and
// ignores whitespace, identifier quotes (backticks, double quotes) and
// parentheses that wrap the whole expression. A key written one way in code
// and read back from system.tables the other is then the same key (else
// every reload would recreate the table).
func normalizeExpr(s string) string {
	if containsFold(s, "interval") {
		s = rewriteIntervals(s)
	}
	if containsFold(s, "cast") {
		s = rewriteCasts(s)
	}
	s = identQuotes.Replace(strings.Join(strings.Fields(s), ""))
	for len(s) >= 2 && s[0] == '(' && s[len(s)-1] == ')' {
		depth, wraps := 0, true
		for i := 0; i < len(s); i++ {
			if s[i] == '(' {
				depth++
			} else if s[i] == ')' {
				depth--
				if depth == 0 && i != len(s)-1 {
					wraps = false
					break
				}
			}
		}
		if !wraps {
			break
		}
		s = s[1 : len(s)-1]
	}
	return s
}

var reInterval = regexp.MustCompile(`(?i)\bINTERVAL\s+'?(\d+)'?\s+(NANOSECOND|MICROSECOND|MILLISECOND|SECOND|MINUTE|HOUR|DAY|WEEK|MONTH|QUARTER|YEAR)S?\b`)

// sameExpr compares two optional expressions, normalizing only when their
// text differs (the common case of equal text costs nothing).
func sameExpr(a, b *string, normalize func(string) string) bool {
	x, y := str(a), str(b)
	return x == y || normalize(x) == normalize(y)
}

// NormalizeTTL compares TTL expressions as ClickHouse stores them
// (upstream's normalize_ttl_expression): normalizeExpr, which rewrites
// INTERVALs as ClickHouse does.
func NormalizeTTL(s string) string { return normalizeExpr(s) }

// rewriteIntervals spells `INTERVAL 30 DAY` as ClickHouse stores it,
// `toIntervalDay(30)`.
func rewriteIntervals(s string) string {
	return reInterval.ReplaceAllStringFunc(s, func(m string) string {
		p := reInterval.FindStringSubmatch(m)
		unit := strings.ToUpper(p[2])
		return "toInterval" + unit[:1] + strings.ToLower(unit[1:]) + "(" + p[1] + ")"
	})
}

var reCast = regexp.MustCompile(`(?i)\bCAST\s*\(`)

// rewriteCasts spells `CAST(x AS T)` as ClickHouse stores it,
// `CAST(x, 'T')`, innermost first.
func rewriteCasts(s string) string {
	for guard := 0; guard < 64; guard++ {
		locs := reCast.FindAllStringIndex(s, -1)
		changed := false
		for k := len(locs) - 1; k >= 0 && !changed; k-- {
			open := locs[k][1] - 1
			end, as := -1, -1
			sub := s[open:]
			sqlscan.Walk(sub, func(i, depth int) bool {
				switch c := sub[i]; {
				case c == ')' && depth == 0:
					end = open + i
					return false
				case depth == 1 && as < 0 && isSpace(c) && len(sub) > i+4 && strings.EqualFold(sub[i+1:i+3], "AS") && isSpace(sub[i+3]):
					as = open + i
				}
				return true
			})
			if end < 0 || as < 0 {
				continue
			}
			typ := strings.TrimSpace(s[as+4 : end])
			s = s[:open+1] + strings.TrimSpace(s[open+1:as]) + ", '" + strings.ReplaceAll(typ, "'", "\\'") + "'" + s[end:]
			changed = true
		}
		if !changed {
			return s
		}
	}
	return s
}

var identQuotes = strings.NewReplacer("`", "", `"`, "")

// containsFold reports whether s contains the lower-case ASCII word in any
// case, without allocating (normalizeExpr runs for every key of every
// table on every reload).
func containsFold(s, word string) bool {
	for i := 0; i+len(word) <= len(s); i++ {
		if s[i]|0x20 == word[0] && strings.EqualFold(s[i:i+len(word)], word) {
			return true
		}
	}
	return false
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' }

// primaryKey is a table's primary key as ClickHouse sees it: the explicit
// expression, else the key columns, else (ClickHouse's default) the
// sorting key; normalized.
func primaryKey(t *infra.Table) string {
	if !t.Engine.IsMergeTreeFamily() {
		return ""
	}
	if t.PrimaryKeyExpression != nil && *t.PrimaryKeyExpression != "" {
		return normalizeExpr(*t.PrimaryKeyExpression)
	}
	var keys []string
	for _, c := range t.Columns {
		if c.PrimaryKey {
			keys = append(keys, c.Name)
		}
	}
	if len(keys) == 0 {
		return normalizeExpr(t.OrderBy.String())
	}
	return normalizeExpr(strings.Join(keys, ","))
}

// CodecsEquivalent compares codec chains element by element: names must
// match, parameters only when both sides give them, since ClickHouse
// reports the defaults it filled in (ZSTD reads back as ZSTD(1), Delta as
// Delta(8)).
func CodecsEquivalent(a, b string) bool {
	pa, pb := sqlscan.Split(a, ','), sqlscan.Split(b, ',')
	if len(pa) != len(pb) {
		return false
	}
	for i := range pa {
		na, argsA, hasA := strings.Cut(strings.TrimSuffix(pa[i], ")"), "(")
		nb, argsB, hasB := strings.Cut(strings.TrimSuffix(pb[i], ")"), "(")
		if !strings.EqualFold(strings.TrimSpace(na), strings.TrimSpace(nb)) || hasA && hasB && normalizeExpr(argsA) != normalizeExpr(argsB) {
			return false
		}
	}
	return true
}
