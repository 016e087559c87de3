package clickhouse_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/moose-dev/moose-dev/clickhouse"
	"github.com/moose-dev/moose-dev/differ"
	"github.com/moose-dev/moose-dev/infra"
	"github.com/moose-dev/moose-dev/internal/chtest"
)

func ptr[T any](v T) *T { return &v }

func col(name string, t infra.ColumnType, required bool) infra.Column {
	return infra.Column{Name: name, DataType: t, Required: required}
}

// liveColumns reads name -> type of a table from system.columns.
func liveColumns(t *testing.T, c *clickhouse.Client, table string) map[string]string {
	t.Helper()
	tables, err := c.Tables(context.Background(), "local")
	if err != nil {
		t.Fatal(err)
	}
	lt, ok := tables[table]
	if !ok {
		return nil
	}
	out := map[string]string{}
	for _, c := range lt.Columns {
		out[c.Name] = c.Type
	}
	return out
}

func TestExecutorAppliesEachDDLFormAgainstTheEmbeddedEngine(t *testing.T) {
	srv := chtest.Start(t, "local")
	ctx := context.Background()
	c := srv.Client
	table := &infra.Table{Name: "Events", Engine: infra.MergeTree, LifeCycle: infra.FullyManaged,
		OrderBy: infra.OrderBy{Fields: []string{"id"}},
		Columns: []infra.Column{
			{Name: "id", DataType: infra.String, Required: true, PrimaryKey: true},
			col("at", infra.DateTime, true),
			col("day", infra.Date, true),
			col("score", infra.Float64, false),
			col("tags", infra.Array{Element: infra.String}, true),
			col("price", infra.Decimal{Precision: 10, Scale: 2}, true),
			col("precise", infra.DateTime64{Precision: 3}, true),
			col("ok", infra.Boolean, true),
			{Name: "kind", DataType: infra.String, Required: true, Annotations: []infra.Annotation{{Key: "LowCardinality", Value: []byte("true")}}},
		},
		TableSettings: map[string]string{"index_granularity": "8192"}}
	steps := []struct {
		name string
		op   infra.Operation
		want map[string]string
	}{
		{"create table", infra.CreateTable{Table: table}, map[string]string{
			"id": "String", "at": "DateTime('UTC')", "day": "Date32", "score": "Nullable(Float64)",
			"tags": "Array(String)", "price": "Decimal(10, 2)", "precise": "DateTime64(3)", "ok": "Bool",
			"kind": "LowCardinality(String)"}},
		{"add column after", infra.AddTableColumn{Table: "Events", Column: col("n", infra.Int64, true), AfterColumn: ptr("id")}, nil},
		{"modify column type", infra.ModifyTableColumn{Table: "Events", BeforeColumn: col("n", infra.Int64, true), AfterColumn: col("n", infra.Int32, false)}, nil},
		{"rename column", infra.RenameTableColumn{Table: "Events", BeforeColumnName: "n", AfterColumnName: "m"}, nil},
		{"drop column", infra.DropTableColumn{Table: "Events", ColumnName: "m"}, nil},
	}
	expected := map[string]string{}
	for _, s := range steps {
		if err := c.Apply(ctx, []infra.Operation{s.op}, nil); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		switch s.name {
		case "create table":
			expected = s.want
		case "add column after":
			expected["n"] = "Int64"
		case "modify column type":
			expected["n"] = "Nullable(Int32)"
		case "rename column":
			delete(expected, "n")
			expected["m"] = "Nullable(Int32)"
		case "drop column":
			delete(expected, "m")
		}
		if diff := cmp.Diff(expected, liveColumns(t, c, "Events")); diff != "" {
			t.Fatalf("after %s, system.columns differs (-want +got):\n%s", s.name, diff)
		}
	}
	// position: the added column went right after id
	tables, _ := c.Tables(ctx, "local")
	if got := tables["Events"].SortingKey; got != "id" {
		t.Errorf("sorting key = %q, want id", got)
	}
	if err := c.Apply(ctx, []infra.Operation{infra.DropTable{Table: "Events"}}, nil); err != nil {
		t.Fatal(err)
	}
	if cols := liveColumns(t, c, "Events"); cols != nil {
		t.Fatalf("table still exists after DropTable: %v", cols)
	}
}

func TestAddColumnHonoursPosition(t *testing.T) {
	srv := chtest.Start(t, "local")
	ctx := context.Background()
	tbl := &infra.Table{Name: "P", Engine: infra.MergeTree, OrderBy: infra.OrderBy{Fields: []string{"a"}},
		Columns: []infra.Column{col("a", infra.String, true), col("c", infra.String, true)}}
	ops := []infra.Operation{infra.CreateTable{Table: tbl},
		infra.AddTableColumn{Table: "P", Column: col("b", infra.Int8, true), AfterColumn: ptr("a")},
		infra.AddTableColumn{Table: "P", Column: col("z", infra.Int8, true)}}
	if err := srv.Client.Apply(ctx, ops, nil); err != nil {
		t.Fatal(err)
	}
	tables, err := srv.Client.Tables(ctx, "local")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range tables["P"].Columns {
		names = append(names, c.Name)
	}
	if diff := cmp.Diff([]string{"z", "a", "b", "c"}, names); diff != "" {
		t.Fatalf("column order (-want +got):\n%s", diff)
	}
}

func TestApplyStopsAtFirstErrorAndSaysHowManyRan(t *testing.T) {
	srv := chtest.Start(t, "local")
	tbl := &infra.Table{Name: "Q", Engine: infra.MergeTree, OrderBy: infra.OrderBy{Fields: []string{"a"}},
		Columns: []infra.Column{col("a", infra.String, true)}}
	ops := []infra.Operation{infra.CreateTable{Table: tbl},
		infra.DropTableColumn{Table: "Missing", ColumnName: "x"},
		infra.AddTableColumn{Table: "Q", Column: col("never", infra.Int8, true)}}
	err := srv.Client.Apply(context.Background(), ops, nil)
	var ae *clickhouse.ApplyError
	if !asApplyError(err, &ae) {
		t.Fatalf("want ApplyError, got %v", err)
	}
	if ae.Index != 1 || ae.Applied != 1 {
		t.Fatalf("failed at %d with %d applied, want 1 and 1", ae.Index, ae.Applied)
	}
	if _, ok := liveColumns(t, srv.Client, "Q")["never"]; ok {
		t.Fatal("an operation after the failure ran")
	}
}

func TestATypeChangeThatWouldFailOnExistingRowsIsRefusedAndChangesNothing(t *testing.T) {
	srv := chtest.Start(t, "local")
	ctx := context.Background()
	c := srv.Client
	tbl := &infra.Table{Name: "T", Engine: infra.MergeTree, OrderBy: infra.OrderBy{Fields: []string{"id"}},
		Columns: []infra.Column{col("id", infra.String, true), col("s", infra.String, true), col("ok", infra.String, true)}}
	if err := c.Apply(ctx, []infra.Operation{infra.CreateTable{Table: tbl}}, nil); err != nil {
		t.Fatal(err)
	}
	if err := c.Exec(ctx, "INSERT INTO local.T VALUES ('a', '1', '10'), ('b', 'abc', '20'), ('c', 'x y', '30')"); err != nil {
		t.Fatal(err)
	}
	err := c.Apply(ctx, []infra.Operation{infra.ModifyTableColumn{Table: "T", BeforeColumn: col("s", infra.String, true), AfterColumn: col("s", infra.Int64, true)}}, nil)
	var ce *clickhouse.ConversionError
	if !errors.As(err, &ce) || ce.Bad != 2 || ce.Total != 3 || len(ce.Examples) != 2 {
		t.Fatalf("want a ConversionError for 2 of 3 rows, got %v", err)
	}
	if got := liveColumns(t, c, "T")["s"]; got != "String" {
		t.Fatalf("the column changed to %s", got)
	}
	rows, err := c.Query(ctx, "SELECT s FROM local.T ORDER BY id")
	if err != nil {
		t.Fatalf("the table must stay readable: %v", err)
	}
	rows.Close()
	// a change every row survives goes through
	if err := c.Apply(ctx, []infra.Operation{infra.ModifyTableColumn{Table: "T", BeforeColumn: col("ok", infra.String, true), AfterColumn: col("ok", infra.Int64, true)}}, nil); err != nil {
		t.Fatal(err)
	}
	if got := liveColumns(t, c, "T")["ok"]; got != "Int64" {
		t.Fatalf("ok is %s", got)
	}
	// making a column with NULLs required is refused the same way
	if err := c.Exec(ctx, "ALTER TABLE local.T ADD COLUMN n Nullable(Int32)"); err != nil {
		t.Fatal(err)
	}
	if err := c.Exec(ctx, "INSERT INTO local.T (id, s, ok, n) VALUES ('d', 'z', 1, NULL)"); err != nil {
		t.Fatal(err)
	}
	err = c.Apply(ctx, []infra.Operation{infra.ModifyTableColumn{Table: "T", BeforeColumn: col("n", infra.Int32, false), AfterColumn: col("n", infra.Int32, true)}}, nil)
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "from Nullable(Int32) to Int32") {
		t.Fatalf("NULLs into a required column: want a ConversionError naming both types, got %v", err)
	}
}

func TestAFailedTypeChangeNeverLeavesTheTableUnreadable(t *testing.T) {
	srv := chtest.Start(t, "local")
	ctx := context.Background()
	c := srv.Client
	tbl := &infra.Table{Name: "A", Engine: infra.MergeTree, OrderBy: infra.OrderBy{Fields: []string{"id"}},
		Columns: []infra.Column{col("id", infra.String, true), col("xs", infra.Array{Element: infra.String}, true)}}
	if err := c.Apply(ctx, []infra.Operation{infra.CreateTable{Table: tbl}}, nil); err != nil {
		t.Fatal(err)
	}
	if err := c.Exec(ctx, "INSERT INTO local.A VALUES ('a', ['1', 'abc'])"); err != nil {
		t.Fatal(err)
	}
	err := c.Apply(ctx, []infra.Operation{infra.ModifyTableColumn{Table: "A",
		BeforeColumn: col("xs", infra.Array{Element: infra.String}, true), AfterColumn: col("xs", infra.Array{Element: infra.Int64}, true)}}, nil)
	if err == nil {
		t.Fatal("converting ['1', 'abc'] to Array(Int64) must fail")
	}
	t.Logf("refused with: %v", err)
	rows, qerr := c.Query(ctx, "SELECT xs FROM local.A")
	if qerr != nil {
		t.Fatalf("the table is unreadable after a failed type change: %v", qerr)
	}
	rows.Close()
	if got := liveColumns(t, c, "A")["xs"]; got != "Array(String)" {
		t.Fatalf("xs is %s", got)
	}
}

func TestTableLevelAltersApply(t *testing.T) {
	srv := chtest.Start(t, "local")
	ctx := context.Background()
	c := srv.Client
	tbl := &infra.Table{Name: "L", Engine: infra.MergeTree, OrderBy: infra.OrderBy{Expr: "(id, cityHash64(id))", IsExpr: true},
		PrimaryKeyExpression: ptr("(id, cityHash64(id))"),
		Columns:              []infra.Column{col("id", infra.String, true), col("ts", infra.DateTime, true)}}
	ttl := "ts + INTERVAL 1 DAY"
	ops := []infra.Operation{
		infra.CreateTable{Table: tbl},
		infra.ModifyTableSettings{Table: "L", AfterSettings: map[string]string{"merge_with_ttl_timeout": "3600"}},
		infra.ModifyTableTtl{Table: "L", After: &ttl},
		infra.AddTableIndex{Table: "L", Index: infra.TableIndex{Name: "i_ts", Expression: "ts", Type: "minmax", Granularity: 2}},
		infra.AddTableProjection{Table: "L", Projection: infra.TableProjection{Name: "by_ts", Body: "SELECT * ORDER BY ts"}},
		infra.ModifySampleBy{Table: "L", Expression: "cityHash64(id)"},
	}
	if err := c.Apply(ctx, ops, nil); err != nil {
		t.Fatal(err)
	}
	ddl := createQuery(t, c, "L")
	for _, want := range []string{"merge_with_ttl_timeout = 3600", "TTL ts + toIntervalDay(1)", "INDEX i_ts ts TYPE minmax GRANULARITY 2", "PROJECTION by_ts", "SAMPLE BY cityHash64(id)"} {
		if !strings.Contains(ddl, want) {
			t.Errorf("DDL lacks %q:\n%s", want, ddl)
		}
	}
	// each undo takes away what it names, and only that
	undo := []struct {
		op   infra.Operation
		gone string
	}{
		{infra.ModifyTableSettings{Table: "L", BeforeSettings: map[string]string{"merge_with_ttl_timeout": "3600"}, AfterSettings: map[string]string{}}, "merge_with_ttl_timeout"},
		{infra.ModifyTableTtl{Table: "L", Before: &ttl}, "TTL ts"},
		{infra.DropTableIndex{Table: "L", IndexName: "i_ts"}, "INDEX i_ts"},
		{infra.DropTableProjection{Table: "L", ProjectionName: "by_ts"}, "PROJECTION by_ts"},
		{infra.RemoveSampleBy{Table: "L"}, "SAMPLE BY"},
	}
	for i, u := range undo {
		if err := c.Apply(ctx, []infra.Operation{u.op}, nil); err != nil {
			t.Fatalf("%s: %v", u.op.OpName(), err)
		}
		ddl := createQuery(t, c, "L")
		if strings.Contains(ddl, u.gone) {
			t.Errorf("after %s the DDL still has %q:\n%s", u.op.OpName(), u.gone, ddl)
		}
		for _, later := range undo[i+1:] {
			if !strings.Contains(ddl, later.gone) {
				t.Errorf("%s also took away %q:\n%s", u.op.OpName(), later.gone, ddl)
			}
		}
	}
}

// createQuery reads a table's CREATE statement from system.tables.
func createQuery(t *testing.T, c *clickhouse.Client, table string) string {
	t.Helper()
	rows, err := c.Query(context.Background(), "SELECT create_table_query FROM system.tables WHERE database = 'local' AND name = ?", table)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	if !rows.Next() {
		t.Fatalf("table %s is not in system.tables (%v)", table, rows.Err())
	}
	var ddl string
	if err := rows.Scan(&ddl); err != nil {
		t.Fatal(err)
	}
	return ddl
}

// Names and labels that need quoting (a backslash, a backtick, a quote, a
// space, a comma, an equals sign) are created as written and read back from
// system.columns as the same column: table and column names through Quote,
// tuple element names and enum labels through the type parser (also without
// the enum metadata comment, as a table moose-dev did not create has it).
func TestOddNamesAndLabelsReadBackAsWritten(t *testing.T) {
	srv := chtest.Start(t, "local")
	ctx := context.Background()
	c := srv.Client
	odd := []string{`back\slash`, "tick`name", "quo'te", "spa ce, comma", `tab\tescape`, "eq=ual"}
	one, two := int64(1), int64(2)
	var fields []infra.TupleField
	var members []infra.EnumMember
	for i, name := range odd {
		fields = append(fields, infra.TupleField{Name: name, Type: infra.String})
		n := int64(i + 1)
		members = append(members, infra.EnumMember{Name: name, Value: infra.EnumValue{Int: &n}})
	}
	tbl := &infra.Table{Name: `odd\table` + "`", Engine: infra.MergeTree, OrderBy: infra.OrderBy{Fields: []string{`i\d`}},
		Columns: []infra.Column{
			{Name: `i\d`, DataType: infra.String, Required: true},
			{Name: "t`uple", DataType: infra.NamedTuple{Fields: fields}, Required: true},
			{Name: "e", DataType: infra.Enum{Name: "E", Values: members}, Required: true},
			{Name: "n", DataType: infra.Nested{Columns: []infra.Column{{Name: "a b", DataType: infra.Int64, Required: true}, {Name: `c\d`, DataType: infra.String}}}, Required: true},
			{Name: "e2", DataType: infra.Enum{Values: []infra.EnumMember{{Name: `x\y`, Value: infra.EnumValue{Int: &one}}, {Name: "it's", Value: infra.EnumValue{Int: &two}}}}, Required: true},
		}}
	if err := c.Apply(ctx, []infra.Operation{infra.CreateTable{Table: tbl}}, nil); err != nil {
		t.Fatal(err)
	}
	live, err := c.Reality(ctx, "local")
	if err != nil {
		t.Fatal(err)
	}
	got := live["local."+tbl.Name]
	if got == nil || len(got.Columns) != len(tbl.Columns) {
		names := []string{}
		for id := range live {
			names = append(names, id)
		}
		t.Fatalf("table %q not read back whole: %v (tables %q)", tbl.Name, got, names)
	}
	raw := liveColumns(t, c, tbl.Name)
	for i, want := range tbl.Columns {
		g := got.Columns[i]
		g.PrimaryKey = want.PrimaryKey
		if g.Name != want.Name || !infra.TypesEqual(g.DataType, want.DataType) {
			wj, _ := want.MarshalJSON()
			gj, _ := g.MarshalJSON()
			t.Errorf("column %d reads back differently:\nwant %s\n got %s", i, wj, gj)
		}
		if e, ok := want.DataType.(infra.Enum); ok {
			// without the metadata comment: the labels from the type alone
			p, err := clickhouse.ParseType(raw[want.Name])
			e.Name = ""
			if err != nil || !infra.TypesEqual(p.Type, e) {
				t.Errorf("%s: type %q parses as %v (%v), want %v", want.Name, raw[want.Name], p.Type, err, e)
			}
		}
	}
}

// A rename proposal that is declined plans as the drop and the add it
// replaced, and that plan applies: a column added after the renamed one
// comes after it (it came first and ClickHouse refused the AFTER).
func TestADeclinedRenamePlanApplies(t *testing.T) {
	srv := chtest.Start(t, "local")
	ctx := context.Background()
	c := srv.Client
	id := col("id", infra.String, true)
	before := &infra.Table{Name: "R", Engine: infra.MergeTree, OrderBy: infra.OrderBy{Fields: []string{"id"}},
		Columns: []infra.Column{id, col("name", infra.String, true)}}
	after := *before
	after.Columns = []infra.Column{id, col("fullname", infra.String, true), col("age", infra.Int64, true)}
	if err := c.Apply(ctx, []infra.Operation{infra.CreateTable{Table: before}}, nil); err != nil {
		t.Fatal(err)
	}
	cur, des := infra.NewMap("local"), infra.NewMap("local")
	cur.AddTable(before)
	des.AddTable(&after)
	proposed := differ.ProposeRenames(differ.Diff(cur, des))
	if len(differ.Renames(proposed)) != 1 {
		t.Fatalf("want one rename proposed: %v", differ.Renames(proposed))
	}
	if err := c.Apply(ctx, differ.Plan(differ.UndoRenames(proposed)), nil); err != nil {
		t.Fatal(err)
	}
	if got := liveColumns(t, c, "R"); len(got) != 3 || got["fullname"] != "String" || got["age"] != "Int64" {
		t.Fatalf("columns after the plan: %v", got)
	}
}

// TestARunOfCreatesFailingSaysWhichAndCountsWhatRan: CREATE TABLEs go
// out several at once; when one fails the error names the first that
// failed, counts every table created (before it or beside it), and no
// operation after the run starts.
func TestARunOfCreatesFailingSaysWhichAndCountsWhatRan(t *testing.T) {
	srv := chtest.Start(t, "local")
	ctx := context.Background()
	var ops []infra.Operation
	for i := 0; i < 12; i++ {
		tbl := &infra.Table{Name: fmt.Sprintf("R%d", i), Engine: infra.MergeTree, OrderBy: infra.OrderBy{Fields: []string{"a"}},
			Columns: []infra.Column{col("a", infra.String, true)}}
		if i == 5 || i == 9 {
			tbl.OrderBy = infra.OrderBy{Fields: []string{"no_such_column"}}
		}
		ops = append(ops, infra.CreateTable{Table: tbl})
	}
	ops = append(ops, infra.AddTableColumn{Table: "R0", Column: col("never", infra.Int8, true)})
	var progress []int
	err := srv.Client.ApplyProgress(ctx, ops, nil, func(done, total int) {
		if total != len(ops) {
			t.Errorf("progress total %d, want %d", total, len(ops))
		}
		progress = append(progress, done)
	})
	var ae *clickhouse.ApplyError
	if !asApplyError(err, &ae) {
		t.Fatalf("want ApplyError, got %v", err)
	}
	if ae.Index != 5 { // 9, if it ran, was sent after 5, which fails too
		t.Fatalf("failed at %d, want 5", ae.Index)
	}
	tables, err := srv.Client.Tables(ctx, "local")
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5; i++ {
		if tables[fmt.Sprintf("R%d", i)] == nil {
			t.Fatalf("R%d, before the failure, was not created", i)
		}
	}
	if len(tables) != ae.Applied {
		t.Fatalf("%d tables exist, the error says %d applied", len(tables), ae.Applied)
	}
	for i, d := range progress {
		if d != i+1 {
			t.Fatalf("progress %v is not 1, 2, ...", progress)
		}
	}
	if len(progress) != ae.Applied {
		t.Fatalf("progress reported %d, applied %d", len(progress), ae.Applied)
	}
	if _, ok := liveColumns(t, srv.Client, "R0")["never"]; ok {
		t.Fatal("an operation after the failed run ran")
	}
}
