package migrate

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/moose-dev/moose-dev/differ"
	"github.com/moose-dev/moose-dev/infra"
	"github.com/moose-dev/moose-dev/internal/sqlscan"
	"github.com/moose-dev/moose-dev/planfile"
)

// Simulate runs a (possibly hand-edited) plan over the map it starts from
// (remote_state.json), without a database, and returns the map it leads
// to. Each operation is checked against the tables as they are at that
// point of the plan: its required fields are present (planfile.Check); its
// table exists (or, to be created, does not); each column, index or
// projection it names exists (or, to be added or be a rename's new name,
// does not). A DropTable of a missing `…__moose_recreate` table is the
// no-op it is (DROP TABLE IF EXISTS clearing what an interrupted recreate
// left). RawSql is opaque, except what moose-dev plans with it: RENAME
// TABLE, EXCHANGE TABLES, and the setup and teardown statements of the SQL
// resources of from and target. A view, materialized view or SQL resource
// the plan creates as target declares it takes target's definition. Errors
// name the operation's index and field, as planfile does.
func Simulate(p *planfile.Plan, from, target *infra.Map) (*infra.Map, error) {
	if err := planfile.Check(p); err != nil {
		return nil, err
	}
	s := newSim(from)
	for i, op := range p.Operations {
		if err := s.apply(op, target); err != nil {
			return nil, &planfile.Error{Index: i, Op: op.OpName(), Msg: err.Error()}
		}
	}
	return s.result(), nil
}

// sim is the OLAP part of a map while a plan is simulated over it: tables
// by their PhysicalKey, views and materialized views by the map's ids.
type sim struct {
	db     string
	base   *infra.Map
	tables map[string]*infra.Table
	views  map[string]*infra.View
	mvs    map[string]*infra.MaterializedView
	sqls   map[string]*infra.SQLResource
}

func newSim(from *infra.Map) *sim {
	base := from.Clone()
	s := &sim{db: base.DefaultDatabase, base: base, tables: map[string]*infra.Table{}, views: base.Views, mvs: base.MaterializedViews, sqls: base.SQLResources}
	for _, t := range base.Tables {
		s.tables[differ.PhysicalKey(t, s.db)] = t
	}
	return s
}

// result is the map the plan led to: from, with its tables, views,
// materialized views and SQL resources as the plan left them.
func (s *sim) result() *infra.Map {
	out := s.base
	out.Tables = map[string]*infra.Table{}
	for _, t := range s.tables {
		out.AddTable(t)
	}
	return out
}

// failf is an error about one field of the operation.
func failf(field, format string, args ...any) error {
	return fmt.Errorf("%s: %s", field, fmt.Sprintf(format, args...))
}

// table returns the table an operation names, which must exist.
func (s *sim) table(database *string, name string) (*infra.Table, error) {
	if t, ok := s.tables[differ.NameKey(database, name, s.db)]; ok {
		return t, nil
	}
	return nil, failf("table", "table %q does not exist at this point of the plan", differ.NameKey(database, name, s.db))
}

func (s *sim) apply(op infra.Operation, target *infra.Map) error {
	switch o := op.(type) {
	case infra.CreateTable:
		k := differ.PhysicalKey(o.Table, s.db)
		if _, ok := s.tables[k]; ok {
			return failf("table", "table %q already exists at this point of the plan", k)
		}
		s.tables[k] = cloneOf(o.Table)
	case infra.DropTable:
		k := differ.NameKey(o.Database, o.Table, s.db)
		if _, ok := s.tables[k]; !ok && !strings.HasSuffix(o.Table, differ.RecreateSuffix) {
			return failf("table", "table %q does not exist at this point of the plan", k)
		}
		delete(s.tables, k)
	case infra.AddTableColumn:
		t, err := s.table(o.Database, o.Table)
		if err != nil {
			return err
		}
		if _, ok := t.Column(o.Column.Name); ok {
			return failf("column", "table %q already has a column %q", o.Table, o.Column.Name)
		}
		at := 0 // FIRST
		if o.AfterColumn != nil {
			if at = columnIndex(t, *o.AfterColumn) + 1; at == 0 {
				return failf("after_column", "table %q has no column %q", o.Table, *o.AfterColumn)
			}
		}
		t.Columns = slices.Insert(t.Columns, at, o.Column)
	case infra.DropTableColumn:
		t, err := s.table(o.Database, o.Table)
		if err != nil {
			return err
		}
		i := columnIndex(t, o.ColumnName)
		if i < 0 {
			return failf("column_name", "table %q has no column %q", o.Table, o.ColumnName)
		}
		t.Columns = slices.Delete(t.Columns, i, i+1)
	case infra.ModifyTableColumn:
		t, err := s.table(o.Database, o.Table)
		if err != nil {
			return err
		}
		i := columnIndex(t, o.BeforeColumn.Name)
		if i < 0 {
			return failf("before_column", "table %q has no column %q", o.Table, o.BeforeColumn.Name)
		}
		if o.AfterColumn.Name != o.BeforeColumn.Name {
			return failf("after_column", "a modification keeps the column's name (%q, not %q): use RenameTableColumn to rename",
				o.BeforeColumn.Name, o.AfterColumn.Name)
		}
		t.Columns[i] = o.AfterColumn
	case infra.RenameTableColumn:
		t, err := s.table(o.Database, o.Table)
		if err != nil {
			return err
		}
		i := columnIndex(t, o.BeforeColumnName)
		if i < 0 {
			return failf("before_column_name", "table %q has no column %q", o.Table, o.BeforeColumnName)
		}
		if columnIndex(t, o.AfterColumnName) >= 0 {
			return failf("after_column_name", "table %q already has a column %q", o.Table, o.AfterColumnName)
		}
		if !t.OrderBy.IsExpr && slices.Contains(t.OrderBy.Fields, o.BeforeColumnName) {
			return failf("before_column_name", "column %q is in the ORDER BY of table %q: ClickHouse cannot rename a key column", o.BeforeColumnName, o.Table)
		}
		t.Columns[i].Name = o.AfterColumnName
	case infra.ModifyTableSettings:
		t, err := s.table(o.Database, o.Table)
		if err != nil {
			return err
		}
		for k := range o.BeforeSettings {
			if _, kept := o.AfterSettings[k]; !kept {
				delete(t.TableSettings, k)
			}
		}
		for k, v := range o.AfterSettings {
			if t.TableSettings == nil {
				t.TableSettings = map[string]string{}
			}
			t.TableSettings[k] = v
		}
		if len(t.TableSettings) == 0 {
			t.TableSettings = nil
		}
		t.FillHashes()
	case infra.ModifyTableTtl:
		t, err := s.table(o.Database, o.Table)
		if err != nil {
			return err
		}
		t.TTL = o.After
	case infra.AddTableIndex:
		t, err := s.table(o.Database, o.Table)
		if err != nil {
			return err
		}
		if slices.ContainsFunc(t.Indexes, func(ix infra.TableIndex) bool { return ix.Name == o.Index.Name }) {
			return failf("index", "table %q already has an index %q", o.Table, o.Index.Name)
		}
		t.Indexes = append(t.Indexes, o.Index)
	case infra.DropTableIndex:
		t, err := s.table(o.Database, o.Table)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(t.Indexes, func(ix infra.TableIndex) bool { return ix.Name == o.IndexName })
		if i < 0 {
			return failf("index_name", "table %q has no index %q", o.Table, o.IndexName)
		}
		t.Indexes = slices.Delete(t.Indexes, i, i+1)
	case infra.AddTableProjection:
		t, err := s.table(o.Database, o.Table)
		if err != nil {
			return err
		}
		if slices.ContainsFunc(t.Projections, func(p infra.TableProjection) bool { return p.Name == o.Projection.Name }) {
			return failf("projection", "table %q already has a projection %q", o.Table, o.Projection.Name)
		}
		t.Projections = append(t.Projections, o.Projection)
	case infra.DropTableProjection:
		t, err := s.table(o.Database, o.Table)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(t.Projections, func(p infra.TableProjection) bool { return p.Name == o.ProjectionName })
		if i < 0 {
			return failf("projection_name", "table %q has no projection %q", o.Table, o.ProjectionName)
		}
		t.Projections = slices.Delete(t.Projections, i, i+1)
	case infra.ModifySampleBy:
		t, err := s.table(o.Database, o.Table)
		if err != nil {
			return err
		}
		expr := o.Expression
		t.SampleBy = &expr
	case infra.RemoveSampleBy:
		t, err := s.table(o.Database, o.Table)
		if err != nil {
			return err
		}
		t.SampleBy = nil
	case infra.CreateView:
		k := differ.NameKey(o.Database, o.Name, s.db)
		if id := findByKey(s.views, k, s.viewKey); id != "" {
			return failf("name", "view %q already exists at this point of the plan", k)
		}
		v := &infra.View{Name: o.Name, Database: o.Database, SelectSQL: o.SelectSQL}
		id := o.Name
		if tid := findByKey(target.Views, k, s.viewKey); tid != "" && s.sameSQL(target.Views[tid].SelectSQL, o.SelectSQL) {
			id, v = tid, target.Views[tid]
		}
		s.views[id] = v
	case infra.DropView:
		k := differ.NameKey(o.Database, o.Name, s.db)
		id := findByKey(s.views, k, s.viewKey)
		if id == "" {
			return failf("name", "view %q does not exist at this point of the plan", k)
		}
		delete(s.views, id)
	case infra.CreateMaterializedView:
		k := differ.NameKey(o.Database, o.Name, s.db)
		if id := findByKey(s.mvs, k, s.mvKey); id != "" {
			return failf("name", "materialized view %q already exists at this point of the plan", k)
		}
		v := &infra.MaterializedView{Name: o.Name, Database: o.Database, SelectSQL: o.SelectSQL, TargetTable: o.TargetTable,
			TargetDatabase: o.TargetDatabase, LifeCycle: infra.FullyManaged}
		id := o.Name
		if tid := findByKey(target.MaterializedViews, k, s.mvKey); tid != "" {
			if t := target.MaterializedViews[tid]; s.sameSQL(t.SelectSQL, o.SelectSQL) &&
				differ.NameKey(t.TargetDatabase, t.TargetTable, s.db) == differ.NameKey(o.TargetDatabase, o.TargetTable, s.db) {
				id, v = tid, t
			}
		}
		s.mvs[id] = v
	case infra.DropMaterializedView:
		k := differ.NameKey(o.Database, o.Name, s.db)
		id := findByKey(s.mvs, k, s.mvKey)
		if id == "" {
			return failf("name", "materialized view %q does not exist at this point of the plan", k)
		}
		delete(s.mvs, id)
	case infra.RawSQL:
		return s.rawSQL(o, target)
	}
	return nil
}

// rawSQL follows what moose-dev plans as RawSql: a SQL resource's teardown
// or setup, RENAME TABLE and EXCHANGE TABLES. Anything else is opaque.
func (s *sim) rawSQL(o infra.RawSQL, target *infra.Map) error {
	for _, id := range sortedIDs(s.sqls) {
		if r := s.sqls[id]; len(r.Teardown) > 0 && slices.Equal(r.Teardown, o.SQL) {
			delete(s.sqls, id)
			return nil
		}
	}
	for _, id := range sortedIDs(target.SQLResources) {
		if r := target.SQLResources[id]; len(r.Setup) > 0 && slices.Equal(r.Setup, o.SQL) {
			s.sqls[id] = r
			return nil
		}
	}
	for _, q := range o.SQL {
		if pairs := tableRenames(q); pairs != nil {
			for _, r := range pairs {
				from, to := differ.NameKey(r.fromDB, r.from, s.db), differ.NameKey(r.toDB, r.to, s.db)
				t, ok := s.tables[from]
				if !ok {
					return failf("sql", "RENAME TABLE: table %q does not exist at this point of the plan", from)
				}
				if _, ok := s.tables[to]; ok {
					return failf("sql", "RENAME TABLE: table %q already exists at this point of the plan", to)
				}
				delete(s.tables, from)
				t.Name, t.Database = r.to, r.toDB
				s.tables[to] = t
			}
		}
		if x, ok := tableExchange(q); ok {
			a, b := differ.NameKey(x.fromDB, x.from, s.db), differ.NameKey(x.toDB, x.to, s.db)
			ta, okA := s.tables[a]
			tb, okB := s.tables[b]
			switch {
			case !okA:
				return failf("sql", "EXCHANGE TABLES: table %q does not exist at this point of the plan", a)
			case !okB:
				return failf("sql", "EXCHANGE TABLES: table %q does not exist at this point of the plan", b)
			}
			// each name now holds the other's definition
			ta.Name, ta.Database, tb.Name, tb.Database = tb.Name, tb.Database, ta.Name, ta.Database
			s.tables[a], s.tables[b] = tb, ta
		}
	}
	return nil
}

func (s *sim) viewKey(v *infra.View) string { return differ.NameKey(v.Database, v.Name, s.db) }

func (s *sim) mvKey(v *infra.MaterializedView) string {
	return differ.NameKey(v.Database, v.Name, s.db)
}

// findByKey returns the id of the entry of m whose `db.name` is k, or "".
func findByKey[V any](m map[string]V, k string, key func(V) string) string {
	for _, id := range sortedIDs(m) {
		if key(m[id]) == k {
			return id
		}
	}
	return ""
}

func sortedIDs[V any](m map[string]V) []string {
	ids := make([]string, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

func (s *sim) sameSQL(a, b string) bool {
	return differ.NormalizeSQL(a, s.db) == differ.NormalizeSQL(b, s.db)
}

func columnIndex(t *infra.Table, name string) int {
	return slices.IndexFunc(t.Columns, func(c infra.Column) bool { return c.Name == name })
}

// cloneOf is a deep copy of a table, through its JSON (what it means).
func cloneOf(t *infra.Table) *infra.Table {
	b, err := json.Marshal(t)
	if err != nil {
		panic(fmt.Sprintf("migrate: clone of table %s: %v", t.Name, err))
	}
	var c infra.Table
	if err := json.Unmarshal(b, &c); err != nil {
		panic(fmt.Sprintf("migrate: clone of table %s: %v", t.Name, err))
	}
	return &c
}

var (
	reRef      = "(?:`((?:[^`\\\\]|``|\\\\.)+)`|(\\w+))"
	reCluster  = "(?:\\s+ON\\s+CLUSTER\\s+" + reRef + ")?" // what a statement on a cluster ends with
	reRename   = regexp.MustCompile("(?is)^\\s*RENAME\\s+TABLE\\s+(.*?)" + reCluster + "\\s*;?\\s*$")
	reExchange = regexp.MustCompile("(?is)^\\s*EXCHANGE\\s+TABLES\\s+(.*?)" + reCluster + "\\s*;?\\s*$")
	rePair     = regexp.MustCompile("(?is)^\\s*(?:" + reRef + "\\.)?" + reRef + "\\s+TO\\s+(?:" + reRef + "\\.)?" + reRef + "\\s*$")
	reAndPair  = regexp.MustCompile("(?is)^\\s*(?:" + reRef + "\\.)?" + reRef + "\\s+AND\\s+(?:" + reRef + "\\.)?" + reRef + "\\s*$")
)

// tableRename is one pair of a RENAME TABLE or EXCHANGE TABLES statement;
// a nil database is the default one.
type tableRename struct {
	fromDB, toDB *string
	from, to     string
}

// tableRenames reads RENAME TABLE a TO b[, c TO d]. Anything else gives
// nothing.
func tableRenames(q string) []tableRename {
	m := reRename.FindStringSubmatch(q)
	if m == nil {
		return nil
	}
	var out []tableRename
	for _, pair := range sqlscan.Split(m[1], ',') {
		r, ok := parsePair(rePair, pair)
		if !ok {
			return nil
		}
		out = append(out, r)
	}
	return out
}

// tableExchange reads EXCHANGE TABLES a AND b.
func tableExchange(q string) (tableRename, bool) {
	m := reExchange.FindStringSubmatch(q)
	if m == nil {
		return tableRename{}, false
	}
	return parsePair(reAndPair, m[1])
}

// unquoteIdent reads the inside of a backquoted identifier: a doubled
// backquote is one, a backslash escapes the next character.
func unquoteIdent(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\' && i+1 < len(s):
			i++
		case s[i] == '`' && i+1 < len(s) && s[i+1] == '`':
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func parsePair(re *regexp.Regexp, s string) (tableRename, bool) {
	p := re.FindStringSubmatch(s)
	if p == nil {
		return tableRename{}, false
	}
	ident := func(i int) *string {
		switch {
		case p[i] != "":
			v := unquoteIdent(p[i])
			return &v
		case p[i+1] != "":
			return &p[i+1]
		}
		return nil
	}
	return tableRename{fromDB: ident(1), from: *ident(3), toDB: ident(5), to: *ident(7)}, true
}
