package differ

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/moose-dev/moose-dev/infra"
)

// PlanOptions choose how changes become operations.
type PlanOptions struct {
	// KeepData makes a recreate build the new table beside the old one,
	// copy the rows, swap the two and drop the old one, instead of
	// upstream's plain drop and create.
	KeepData bool
	// Backfill, when set, says whether a new or changed materialized view
	// should populate its target from what its sources already hold (dev
	// only, as upstream: TRUNCATE, then INSERT ... SELECT).
	Backfill func(*infra.MaterializedView) bool
	// NoCluster leaves ON CLUSTER out of the statements the plan writes
	// itself (RawSql): the target has no clusters (the embedded ClickHouse,
	// where a clustered table lives on its one node).
	NoCluster bool
	// ConversionLoss, when set, is the SQL condition under which a row's
	// value would not survive a column's type change (clickhouse's rule): a
	// recreate that keeps the rows refuses before anything is built when a
	// row meets it, instead of letting the copy cast it silently.
	ConversionLoss func(before, after infra.Column) (condition string, ok bool)
}

// Plan turns OLAP changes into operations as upstream does (a recreate is
// a drop and a create).
func Plan(changes []Change) []infra.Operation { return PlanWith(changes, PlanOptions{}) }

// PlanWith turns OLAP changes into operations: views down, every teardown
// operation (drops), every setup operation (creates, adds, modifies), views
// up; each phase in the order of the changes.
func PlanWith(changes []Change, o PlanOptions) []infra.Operation {
	var teardown, setup []infra.Operation
	var viewTeardown, viewSetup []viewGroup // views, materialized views, SQL resources
	down := func(name string, ops ...infra.Operation) {
		if len(ops) > 0 {
			viewTeardown = append(viewTeardown, viewGroup{name, ops})
		}
	}
	up := func(name string, ops ...infra.Operation) {
		if len(ops) > 0 {
			viewSetup = append(viewSetup, viewGroup{name, ops})
		}
	}
	for _, c := range changes {
		switch c := c.(type) {
		case SQLResourceChange:
			teardownOps, setupOps := sqlResourceOps(c)
			if c.Before != nil {
				down(c.Before.Name, teardownOps...)
			}
			if c.After != nil {
				up(c.After.Name, setupOps...)
			}
		case AddTable:
			setup = append(setup, infra.CreateTable{Table: c.Table})
		case RenameTable:
			setup = append(setup, renameTable(c, o))
		case DropTable:
			teardown = append(teardown, dropTable(c.Table))
		case RecreateTable:
			if o.KeepData {
				setup = append(setup, recreateKeepingData(c, o)...)
				continue
			}
			teardown = append(teardown, dropTable(c.Before))
			setup = append(setup, infra.CreateTable{Table: c.After})
		case AddMaterializedView:
			up(c.View.Name, append([]infra.Operation{createMV(c.View)}, backfill(o, c.View)...)...)
		case DropMaterializedView:
			down(c.View.Name, infra.DropMaterializedView{Name: c.View.Name, Database: c.View.Database})
		case UpdateMaterializedView:
			down(c.Before.Name, infra.DropMaterializedView{Name: c.Before.Name, Database: c.Before.Database})
			up(c.After.Name, append([]infra.Operation{createMV(c.After)}, backfill(o, c.After)...)...)
		case AddView:
			up(c.View.Name, infra.CreateView{Name: c.View.Name, Database: c.View.Database, SelectSQL: c.View.SelectSQL})
		case DropView:
			down(c.View.Name, infra.DropView{Name: c.View.Name, Database: c.View.Database})
		case UpdateView:
			down(c.Before.Name, infra.DropView{Name: c.Before.Name, Database: c.Before.Database})
			up(c.After.Name, infra.CreateView{Name: c.After.Name, Database: c.After.Database, SelectSQL: c.After.SelectSQL})
		case UpdateTable:
			down, up := tableLevelOps(c)
			teardown = append(teardown, down...)
			// renames first: an added column may be placed after a renamed one
			for _, cc := range c.Columns {
				if cc.Kind == ColumnRenamed {
					setup = append(setup, infra.RenameTableColumn{Table: c.After.Name, BeforeColumnName: cc.Before.Name,
						AfterColumnName: cc.After.Name, Database: c.After.Database, ClusterName: c.After.ClusterName})
				}
			}
			for _, cc := range c.Columns {
				switch cc.Kind {
				case ColumnRemoved:
					teardown = append(teardown, infra.DropTableColumn{Table: c.After.Name, ColumnName: cc.Before.Name,
						Database: c.After.Database, ClusterName: c.After.ClusterName})
				case ColumnAdded:
					setup = append(setup, infra.AddTableColumn{Table: c.After.Name, Column: cc.After, AfterColumn: cc.AfterColumn,
						Database: c.After.Database, ClusterName: c.After.ClusterName})
				case ColumnModified:
					setup = append(setup, infra.ModifyTableColumn{Table: c.After.Name, BeforeColumn: cc.Before, AfterColumn: cc.After,
						Database: c.After.Database, ClusterName: c.After.ClusterName})
				}
			}
			setup = append(setup, up...)
		}
	}
	// views (and SQL resources, whose statements usually make views) read
	// tables: they go before the tables on the way down and after them on
	// the way up, and among themselves in dependency order
	deps := viewDeps(changes)
	out := orderViews(viewTeardown, deps, true)
	out = append(out, teardown...)
	out = append(out, setup...)
	return append(out, orderViews(viewSetup, deps, false)...)
}

// viewGroup is the operations of one view, materialized view or SQL
// resource, which move together when ordering.
type viewGroup struct {
	name string
	ops  []infra.Operation
}

// viewDeps maps each view named in changes to the names it reads (its
// source tables, without database or backticks).
func viewDeps(changes []Change) map[string][]string {
	deps := map[string][]string{}
	add := func(name string, sources []string) {
		for _, s := range sources {
			deps[name] = append(deps[name], infra.SourceName(s))
		}
	}
	for _, ch := range changes {
		switch c := ch.(type) {
		case AddMaterializedView:
			add(c.View.Name, c.View.SourceTables)
		case UpdateMaterializedView:
			add(c.After.Name, c.After.SourceTables)
		case DropMaterializedView:
			add(c.View.Name, c.View.SourceTables)
		case AddView:
			add(c.View.Name, c.View.SourceTables)
		case UpdateView:
			add(c.After.Name, c.After.SourceTables)
		case DropView:
			add(c.View.Name, c.View.SourceTables)
		case SQLResourceChange:
			for _, r := range []*infra.SQLResource{c.Before, c.After} {
				if r == nil {
					continue
				}
				for _, sig := range append(slices.Clone(r.PullsDataFrom), r.PushesDataTo...) {
					// a view's or materialized view's id is `{db}_{name}`, a
					// SQL resource's its name
					deps[r.Name] = append(deps[r.Name], sig.ID, sig.ID[strings.Index(sig.ID, "_")+1:])
				}
			}
		}
	}
	return deps
}

// orderViews flattens groups so that each comes after the groups it reads
// (before them, reverse, when tearing down); groups otherwise keep their
// order. A cycle leaves the order as given (FindViewCycle reports it).
func orderViews(groups []viewGroup, deps map[string][]string, reverse bool) []infra.Operation {
	flat := func() []infra.Operation {
		var out []infra.Operation
		for _, g := range groups {
			out = append(out, g.ops...)
		}
		return out
	}
	if len(groups) < 2 {
		return flat()
	}
	index := map[string]int{}
	for i, g := range groups {
		index[g.name] = i
	}
	// edges: prerequisite -> dependent
	after := make([][]int, len(groups))
	indeg := make([]int, len(groups))
	for i, g := range groups {
		seen := map[int]bool{}
		for _, d := range deps[g.name] {
			j, ok := index[d]
			if !ok || j == i || seen[j] {
				continue
			}
			seen[j] = true
			if reverse {
				after[i] = append(after[i], j)
				indeg[j]++
			} else {
				after[j] = append(after[j], i)
				indeg[i]++
			}
		}
	}
	var out []infra.Operation
	done := make([]bool, len(groups))
	for n := 0; n < len(groups); n++ {
		next := -1
		for i := range groups {
			if !done[i] && indeg[i] == 0 {
				next = i
				break
			}
		}
		if next < 0 {
			return flat() // a cycle
		}
		done[next] = true
		out = append(out, groups[next].ops...)
		for _, k := range after[next] {
			indeg[k]--
		}
	}
	return out
}

// FindViewCycle returns the names of views that read each other in a
// cycle, or nil.
func FindViewCycle(m *infra.Map) []string {
	deps := map[string][]string{}
	for _, v := range m.MaterializedViews {
		for _, s := range v.SourceTables {
			deps[v.Name] = append(deps[v.Name], infra.SourceName(s))
		}
	}
	for _, v := range m.Views {
		for _, s := range v.SourceTables {
			deps[v.Name] = append(deps[v.Name], infra.SourceName(s))
		}
	}
	state := map[string]int{} // 1 visiting, 2 done
	var stack []string
	var visit func(string) []string
	visit = func(n string) []string {
		switch state[n] {
		case 1:
			for i, s := range stack {
				if s == n {
					return append(append([]string{}, stack[i:]...), n)
				}
			}
		case 2:
			return nil
		}
		state[n] = 1
		stack = append(stack, n)
		for _, d := range deps[n] {
			if c := visit(d); c != nil {
				return c
			}
		}
		stack = stack[:len(stack)-1]
		state[n] = 2
		return nil
	}
	names := make([]string, 0, len(deps))
	for n := range deps {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if c := visit(n); c != nil {
			return c
		}
	}
	return nil
}

func createMV(v *infra.MaterializedView) infra.Operation {
	return infra.CreateMaterializedView{Name: v.Name, Database: v.Database, TargetTable: v.TargetTable,
		TargetDatabase: v.TargetDatabase, SelectSQL: v.SelectSQL}
}

func dropTable(t *infra.Table) infra.Operation {
	return infra.DropTable{Table: t.Name, Database: t.Database, ClusterName: t.ClusterName}
}

// TopicChanges returns the streaming changes of a change list.
func TopicChanges(changes []Change) []Change {
	var out []Change
	for _, c := range changes {
		if IsTopicChange(c) {
			out = append(out, c)
		}
	}
	return out
}

// IsTopicChange reports whether c is a streaming change.
func IsTopicChange(c Change) bool {
	switch c.(type) {
	case AddTopic, DropTopic, UpdateTopic:
		return true
	}
	return false
}

// tableLevelOps are an UpdateTable's table-level ALTERs: index and
// projection drops come down with the teardown; settings, TTL, SAMPLE BY
// and new indexes and projections go up after the column changes.
func tableLevelOps(c UpdateTable) (down, up []infra.Operation) {
	db, cl, name := c.After.Database, c.After.ClusterName, c.After.Name
	for _, ix := range c.IndexesDropped {
		down = append(down, infra.DropTableIndex{Table: name, IndexName: ix.Name, Database: db, ClusterName: cl})
	}
	for _, p := range c.ProjectionsDrop {
		down = append(down, infra.DropTableProjection{Table: name, ProjectionName: p.Name, Database: db, ClusterName: cl})
	}
	if c.Settings {
		up = append(up, infra.ModifyTableSettings{Table: name, BeforeSettings: alterable(c.Before.TableSettings),
			AfterSettings: alterable(c.After.TableSettings), Database: db, ClusterName: cl})
	}
	if c.TTL {
		up = append(up, infra.ModifyTableTtl{Table: name, Before: c.Before.TTL, After: c.After.TTL, Database: db, ClusterName: cl})
	}
	if c.SampleBy {
		if c.After.SampleBy == nil {
			up = append(up, infra.RemoveSampleBy{Table: name, Database: db, ClusterName: cl})
		} else {
			up = append(up, infra.ModifySampleBy{Table: name, Expression: *c.After.SampleBy, Database: db, ClusterName: cl})
		}
	}
	for _, ix := range c.IndexesAdded {
		up = append(up, infra.AddTableIndex{Table: name, Index: ix, Database: db, ClusterName: cl})
	}
	for _, p := range c.ProjectionsAdded {
		up = append(up, infra.AddTableProjection{Table: name, Projection: p, Database: db, ClusterName: cl})
	}
	return down, up
}

// alterable drops the readonly settings, which never appear in ALTERs.
func alterable(s map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range s {
		if _, ro := readonlySettings[k]; !ro {
			out[k] = v
		}
	}
	return out
}

// RecreateSuffix names the table a data-keeping recreate builds beside the
// old one.
const RecreateSuffix = "__moose_recreate"

// renameTable is RENAME TABLE as a RawSql step: upstream's plan vocabulary
// has no table rename.
func renameTable(c RenameTable, o PlanOptions) infra.Operation {
	return infra.RawSQL{SQL: []string{fmt.Sprintf("RENAME TABLE %s TO %s%s", tableRef(c.Before), tableRef(c.After), o.onCluster(c.Before))},
		Description: fmt.Sprintf("Renaming table '%s' to '%s' (keeps its rows)", c.Before.Name, c.After.Name)}
}

// onCluster is the ON CLUSTER clause of a statement the plan writes on t.
func (o PlanOptions) onCluster(t *infra.Table) string {
	if o.NoCluster {
		return ""
	}
	return infra.OnCluster(t.ClusterName)
}

// tableRef is `db`.`name`, or `name` in the session's database.
func tableRef(t *infra.Table) string {
	if t.Database == nil {
		return quoteIdent(t.Name)
	}
	return quoteIdent(*t.Database) + "." + quoteIdent(t.Name)
}

// recreateKeepingData builds the new definition beside the old table
// (clearing a leftover of an interrupted run first), copies the rows, swaps
// the two and drops the old one. The copy takes every column the new table
// shares with the old one, renamed columns from their old name, and the
// columns it carries (dropped by the code, not confirmed). If the copy
// fails, the old table is untouched.
func recreateKeepingData(c RecreateTable, o PlanOptions) []infra.Operation {
	after := c.carried()
	tmp := *after
	tmp.Name = after.Name + RecreateSuffix
	from := map[string]string{} // new column -> old column
	for _, cc := range c.Columns {
		if cc.Kind == ColumnRenamed {
			from[cc.After.Name] = cc.Before.Name
		}
	}
	var into, sel []string
	for _, col := range after.Columns {
		if col.Materialized != nil || col.Alias != nil {
			continue
		}
		src, renamed := from[col.Name]
		if !renamed {
			src = col.Name
		}
		if old, ok := c.Before.Column(src); ok && old.Materialized == nil && old.Alias == nil {
			into = append(into, quoteIdent(col.Name))
			sel = append(sel, quoteIdent(src))
		}
	}
	ref := func(name string) string {
		t := *after
		t.Name = name
		return tableRef(&t)
	}
	var ops []infra.Operation
	// the copy casts silently (a NULL into a required column becomes the
	// type's default, an Int64 wraps into an Int32): refuse it first
	for _, cc := range c.Columns {
		if cc.Kind != ColumnModified || o.ConversionLoss == nil {
			continue
		}
		if loss, ok := o.ConversionLoss(cc.Before, cc.After); ok {
			msg := fmt.Sprintf("column %s.%s: some rows cannot be converted from %s to %s (a NULL into a required column, "+
				"a value out of range or of the wrong kind); the table was left unchanged. Fix or delete those rows, or keep the old type",
				c.After.Name, cc.After.Name, cc.Before.DataType, cc.After.DataType)
			ops = append(ops, infra.RawSQL{
				SQL:         []string{fmt.Sprintf("SELECT throwIf(countIf(%s) > 0, %s) FROM %s", loss, quoteString(msg), ref(c.Before.Name))},
				Description: fmt.Sprintf("Checking that every value of column '%s' of table '%s' converts", cc.After.Name, c.After.Name)})
		}
	}
	for _, check := range []infra.Operation{allRowsHere(c.Before, after, o), ownKeeperPath(c.Before, after, o)} {
		if check != nil {
			ops = append(ops, check)
		}
	}
	return append(ops,
		dropTable(&tmp), // a leftover of an interrupted recreate
		infra.CreateTable{Table: &tmp},
		infra.RawSQL{SQL: []string{fmt.Sprintf("INSERT INTO %s (%s) SELECT %s FROM %s", ref(tmp.Name), strings.Join(into, ", "), strings.Join(sel, ", "), ref(c.Before.Name))},
			Description: fmt.Sprintf("Copying the rows of table '%s' into its new definition", c.After.Name)},
		infra.RawSQL{SQL: []string{fmt.Sprintf("EXCHANGE TABLES %s AND %s%s", ref(c.Before.Name), ref(tmp.Name), o.onCluster(after))},
			Description: fmt.Sprintf("Swapping table '%s' for its new definition", c.After.Name)},
		dropTable(&tmp),
	)
}

// ownKeeperPath is the refusal of a recreate that keeps the rows of a
// Replicated table whose new definition has the old one's keeper_path,
// naming neither {uuid} nor {table}: the new definition is made beside
// the old table, at the same Keeper path, which ClickHouse refuses (or,
// with another replica_name, joins to the old table's replicas). Refused
// first, with what to do; nil for any other table, and where Replicated
// engines are written in plain form (the Keeperless dev ClickHouse:
// NoCluster).
func ownKeeperPath(before, after *infra.Table, o PlanOptions) infra.Operation {
	path, _ := after.Engine.Params["keeper_path"].(string)
	old, _ := before.Engine.Params["keeper_path"].(string)
	if o.NoCluster || !strings.HasPrefix(after.Engine.Name, "Replicated") || !strings.HasPrefix(before.Engine.Name, "Replicated") ||
		path == "" || path != old || strings.Contains(path, "{uuid}") || strings.Contains(path, "{table}") {
		return nil
	}
	msg := fmt.Sprintf("table %s keeps keeper_path %s, which names neither {uuid} nor {table}: a recreate that keeps the rows "+
		"makes the new definition beside the old table, at the same Keeper path, which ClickHouse refuses; the table was left "+
		"unchanged. Give the new definition a keeper_path of its own (with {uuid}, for one), or copy the rows by hand into a "+
		"table of the new definition", after.Name, path)
	return infra.RawSQL{SQL: []string{"SELECT throwIf(1, " + quoteString(msg) + ")"},
		Description: fmt.Sprintf("Checking that table '%s' can be made again beside itself", after.Name)}
}

// allRowsHere is the check, on a clustered table, that the node the plan
// runs on holds every row the copy must carry: the copy reads this node's
// table, while the swap and the drop run ON CLUSTER. That holds when the
// cluster has one node, or one shard and both definitions are Replicated
// (this replica has the shard's rows, and the new table's replicas fetch
// what is inserted here). Anywhere else the other nodes' rows would be
// dropped with the old table: the check refuses first, leaving it
// unchanged. Nil when the table is on no cluster.
func allRowsHere(before, after *infra.Table, o PlanOptions) infra.Operation {
	if o.NoCluster || after.ClusterName == nil || *after.ClusterName == "" {
		return nil
	}
	cluster := *after.ClusterName
	replicated := strings.HasPrefix(before.Engine.Name, "Replicated") && strings.HasPrefix(after.Engine.Name, "Replicated")
	count, why := "count()", "several nodes, and a table that is not Replicated on all of them"
	if replicated {
		count, why = "uniqExact(shard_num)", "several shards"
	}
	msg := fmt.Sprintf("table %s is on cluster %s, where this node does not hold all of its rows (%s): a recreate that keeps the rows "+
		"cannot copy them from here, and the table was left unchanged. Copy the rows by hand into a table of the new definition, "+
		"or make the change one that needs no recreate", after.Name, cluster, why)
	return infra.RawSQL{
		SQL: []string{fmt.Sprintf("SELECT throwIf((SELECT %s FROM system.clusters WHERE cluster = %s) != 1, %s)",
			count, quoteString(cluster), quoteString(msg))},
		Description: fmt.Sprintf("Checking that this node holds every row of table '%s' of cluster '%s'", after.Name, cluster)}
}

func quoteString(s string) string { return infra.QuoteString(s) }

// backfill populates a view's target from its sources, after the view
// exists (rows arriving meanwhile go through the view and are not lost by
// the TRUNCATE, which runs first).
func backfill(o PlanOptions, v *infra.MaterializedView) []infra.Operation {
	if o.Backfill == nil || !o.Backfill(v) {
		return nil
	}
	target := quoteIdent(v.TargetTable)
	if v.TargetDatabase != nil {
		target = quoteIdent(*v.TargetDatabase) + "." + target
	}
	return []infra.Operation{infra.RawSQL{
		SQL:         []string{"TRUNCATE TABLE " + target, "INSERT INTO " + target + " " + v.SelectSQL},
		Description: fmt.Sprintf("Populating materialized view data into %s (with truncate)", v.TargetTable),
	}}
}

func quoteIdent(s string) string { return infra.QuoteIdent(s) }
