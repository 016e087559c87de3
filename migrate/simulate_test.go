package migrate

import (
	"strings"
	"testing"

	"github.com/moose-dev/moose-dev/infra"
	"github.com/moose-dev/moose-dev/planfile"
)

func TestSimulateNamesTheOperationAndField(t *testing.T) {
	from := infra.NewMap("local")
	id := infra.Column{Name: "id", DataType: infra.String}
	users := &infra.Table{Name: "Users", Columns: []infra.Column{id, {Name: "mail", DataType: infra.String}}, OrderBy: infra.OrderBy{Fields: []string{"id"}}}
	from.AddTable(users)
	email := "email"
	for _, tc := range []struct {
		name string
		ops  []infra.Operation
		want string // "" = valid
	}{
		{"rename then use the new name", []infra.Operation{
			infra.RenameTableColumn{Table: "Users", BeforeColumnName: "mail", AfterColumnName: "email"},
			infra.DropTableColumn{Table: "Users", ColumnName: "email"}}, ""},
		{"rename of a missing column", []infra.Operation{
			infra.RenameTableColumn{Table: "Users", BeforeColumnName: "nope", AfterColumnName: "x"}},
			"operations[0] (RenameTableColumn): before_column_name: table \"Users\" has no column \"nope\""},
		{"rename onto an existing column", []infra.Operation{
			infra.RenameTableColumn{Table: "Users", BeforeColumnName: "mail", AfterColumnName: "id"}}, "after_column_name"},
		{"drop after the column was dropped", []infra.Operation{
			infra.DropTableColumn{Table: "Users", ColumnName: "mail"},
			infra.DropTableColumn{Table: "Users", ColumnName: "mail"}}, "operations[1] (DropTableColumn): column_name"},
		{"add after a missing column", []infra.Operation{
			infra.AddTableColumn{Table: "Users", Column: infra.Column{Name: "x", DataType: infra.String}, AfterColumn: &email}}, "after_column"},
		{"modify on a missing table", []infra.Operation{
			infra.ModifyTableColumn{Table: "Gone", BeforeColumn: id, AfterColumn: id}}, "table \"local.Gone\" does not exist"},
		{"create an existing table", []infra.Operation{infra.CreateTable{Table: &infra.Table{Name: "Users", Columns: []infra.Column{id}}}}, "already exists"},
		{"drop then create", []infra.Operation{infra.DropTable{Table: "Users"}, infra.CreateTable{Table: &infra.Table{Name: "Users", Columns: []infra.Column{id}}}}, ""},
		{"a required field is checked first", []infra.Operation{infra.DropTable{Table: "Users"}, infra.CreateTable{Table: &infra.Table{Columns: []infra.Column{id}}}},
			"operations[1] (CreateTable): table.name"},
		{"a key column cannot be renamed", []infra.Operation{
			infra.RenameTableColumn{Table: "Users", BeforeColumnName: "id", AfterColumnName: "uid"}}, "operations[0] (RenameTableColumn): before_column_name: column \"id\" is in the ORDER BY"},
		{"a table in another database is another table", []infra.Operation{infra.DropTable{Table: "Users", Database: &email}}, "table \"email.Users\" does not exist"},
		{"dropping a recreate's leftover that is not there is the no-op it is", []infra.Operation{infra.DropTable{Table: "Users__moose_recreate"}}, ""},
		{"EXCHANGE TABLES needs both", []infra.Operation{infra.RawSQL{SQL: []string{"EXCHANGE TABLES `Users` AND `local`.`Other`"}}},
			"operations[0] (RawSql): sql: EXCHANGE TABLES: table \"local.Other\" does not exist"},
		{"a table renamed by RawSql is known by its new name", []infra.Operation{
			infra.RawSQL{SQL: []string{"RENAME TABLE `Users` TO `People`"}},
			infra.DropTableColumn{Table: "People", ColumnName: "mail"}}, ""},
		{"and no longer by its old one", []infra.Operation{
			infra.RawSQL{SQL: []string{"rename table local.Users to local.People"}},
			infra.DropTableColumn{Table: "Users", ColumnName: "mail"}}, "operations[1] (DropTableColumn): table: table \"local.Users\" does not exist"},
		{"a rename of a missing table", []infra.Operation{infra.RawSQL{SQL: []string{"RENAME TABLE `Gone` TO `X`"}}},
			"operations[0] (RawSql): sql: RENAME TABLE: table \"local.Gone\" does not exist"},
		{"other SQL stays opaque", []infra.Operation{infra.RawSQL{SQL: []string{"OPTIMIZE TABLE Gone FINAL"}}}, ""},
	} {
		_, err := Simulate(&planfile.Plan{Operations: tc.ops}, from, from)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: unexpected error %v", tc.name, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: error %v, want it to contain %q", tc.name, err, tc.want)
		}
	}
}

func col(name string, t infra.ColumnType) infra.Column {
	return infra.Column{Name: name, DataType: t, Required: true}
}

func mapWith(tables ...*infra.Table) *infra.Map {
	m := infra.NewMap("local")
	for _, t := range tables {
		m.AddTable(t)
	}
	return m
}

func tbl(name string, order []string, cols ...infra.Column) *infra.Table {
	return &infra.Table{Name: name, Columns: cols, Engine: infra.MergeTree, OrderBy: infra.OrderBy{Fields: order}, LifeCycle: infra.FullyManaged}
}

// What generate writes reaches its target when simulated, recreates that
// keep the rows, views and SQL resources included; cut or hand-broken, it
// falls short, and the shortfall names what differs.
func TestShortfallOfGeneratedAndCutPlans(t *testing.T) {
	from := mapWith(tbl("A", []string{"id"}, col("id", infra.String), col("ts", infra.DateTime)), tbl("Gone", []string{"id"}, col("id", infra.String)),
		tbl("C", []string{"id"}, col("id", infra.String)))
	from.SQLResources["old"] = &infra.SQLResource{Name: "old", Setup: []string{"CREATE VIEW old AS SELECT 1"}, Teardown: []string{"DROP VIEW old"}}
	to := mapWith(tbl("A", []string{"ts", "id"}, col("id", infra.String), col("ts", infra.DateTime), col("n", infra.Int64)),
		tbl("B", []string{"id"}, col("id", infra.String)), tbl("C", []string{"id"}, col("id", infra.String), col("n", infra.Int64)))
	to.Views["V"] = &infra.View{Name: "V", SelectSQL: "SELECT id FROM B", SourceTables: []string{"B"}}
	to.SQLResources["new"] = &infra.SQLResource{Name: "new", Setup: []string{"CREATE VIEW new AS SELECT 2"}, Teardown: []string{"DROP VIEW new"}}
	ch, err := Compute(from, to, ComputeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, op := range ch.Ops {
		kinds = append(kinds, op.OpName())
	}
	if !strings.Contains(strings.Join(kinds, ","), "DropTable,CreateTable,RawSql,RawSql,DropTable") {
		t.Fatalf("the plan has no keep-rows recreate: %v", kinds)
	}
	plan := func(ops []infra.Operation) []string {
		t.Helper()
		result, err := Simulate(&planfile.Plan{Operations: ops}, from, to)
		if err != nil {
			t.Fatalf("simulating %v: %v", kinds, err)
		}
		return Shortfall(result, to, nil)
	}
	if short := plan(ch.Ops); short != nil {
		t.Fatalf("the generated plan %v falls short: %q", kinds, short)
	}
	without := func(kind string) []infra.Operation {
		var out []infra.Operation
		dropped := false
		for _, op := range ch.Ops {
			if op.OpName() == kind && !dropped {
				dropped = true
				continue
			}
			out = append(out, op)
		}
		return out
	}
	for _, tc := range []struct {
		ops  []infra.Operation
		want string
	}{
		{ch.Ops[:1], "table local.B: missing (the plan does not create it)"},
		{ch.Ops[:1], "table local.Gone: not in the target"},
		{without("AddTableColumn"), "table local.C: missing column n"},
		{without("CreateView"), "view local.V: missing"},
		{append(without("CreateView"), infra.CreateView{Name: "V", SelectSQL: "SELECT 1"}), "view local.V: not as the target declares it"},
		{without("RawSql"), "SQL resource local.old: its teardown SQL is not in the plan"},
	} {
		short := plan(tc.ops)
		if !strings.Contains(strings.Join(short, "\n"), tc.want) {
			t.Errorf("shortfall %q, want it to say %q", short, tc.want)
		}
	}
	// the recreate without its swap leaves the old ORDER BY
	var noSwap []infra.Operation
	for _, op := range ch.Ops {
		if r, ok := op.(infra.RawSQL); ok && strings.HasPrefix(r.SQL[0], "EXCHANGE") {
			continue
		}
		noSwap = append(noSwap, op)
	}
	if short := plan(noSwap); !strings.Contains(strings.Join(short, "\n"), "table local.A: not as the target declares it (ORDER BY") {
		t.Errorf("shortfall without the EXCHANGE: %q", short)
	}
}

// A change the lifecycles block is no shortfall, and the state stored
// after the plan says what the database holds: the protected table's old
// ORDER BY and the column whose drop was blocked, not the code's.
func TestBlockedChangesAreStoredAsTheyAre(t *testing.T) {
	protected := func(t *infra.Table) *infra.Table { t.LifeCycle = infra.DeletionProtected; return t }
	desc := "described in code"
	described := func(t *infra.Table) *infra.Table { t.Metadata = &infra.Metadata{Description: &desc}; return t }
	from := mapWith(protected(tbl("Keys", []string{"id"}, col("id", infra.String), col("ts", infra.DateTime))),
		protected(tbl("Cols", []string{"id"}, col("id", infra.String), col("old", infra.String))),
		tbl("Same", []string{"id"}, col("id", infra.String)))
	to := mapWith(protected(tbl("Keys", []string{"ts", "id"}, col("id", infra.String), col("ts", infra.DateTime))),
		protected(tbl("Cols", []string{"id"}, col("id", infra.String), col("n", infra.Int64))),
		described(tbl("Same", []string{"id"}, col("id", infra.String))))
	ch, err := Compute(from, to, ComputeOptions{})
	if err != nil || len(ch.Blocked) != 2 || len(ch.Ops) != 1 || ch.Ops[0].OpName() != "AddTableColumn" {
		t.Fatalf("plan: %v, blocked %v, ops %v", err, ch.Blocked, ch.Ops)
	}
	result, err := Simulate(&planfile.Plan{Operations: ch.Ops}, from, to)
	if err != nil {
		t.Fatal(err)
	}
	if short := Shortfall(result, to, nil); short != nil {
		t.Fatalf("a blocked change counted as a shortfall: %q", short)
	}
	stored := resulting(result, to)
	if k := stored.Tables["local_Keys"]; k.OrderBy.String() != "id" {
		t.Errorf("stored Keys: ORDER BY %s; want the one the database still has (id)", k.OrderBy)
	}
	var names []string
	for _, c := range stored.Tables["local_Cols"].Columns {
		names = append(names, c.Name)
	}
	if strings.Join(names, ",") != "id,n,old" {
		t.Errorf("stored Cols columns %v; want the added column and the one whose drop was blocked", names)
	}
	if stored.Tables["local_Same"].Metadata == nil {
		t.Error("a table that matches the code did not take the code's description")
	}
}
