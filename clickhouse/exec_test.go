package clickhouse_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/moose-dev/moose-dev/clickhouse"
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
		if err := c.Apply(ctx, []infra.Operation{s.op}); err != nil {
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
	if err := c.Apply(ctx, []infra.Operation{infra.DropTable{Table: "Events"}}); err != nil {
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
	if err := srv.Client.Apply(ctx, ops); err != nil {
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
	err := srv.Client.Apply(context.Background(), ops)
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
	if err := c.Apply(ctx, []infra.Operation{infra.CreateTable{Table: tbl}}); err != nil {
		t.Fatal(err)
	}
	if err := c.Exec(ctx, "INSERT INTO local.T VALUES ('a', '1', '10'), ('b', 'abc', '20'), ('c', 'x y', '30')"); err != nil {
		t.Fatal(err)
	}
	err := c.Apply(ctx, []infra.Operation{infra.ModifyTableColumn{Table: "T", BeforeColumn: col("s", infra.String, true), AfterColumn: col("s", infra.Int64, true)}})
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
	if err := c.Apply(ctx, []infra.Operation{infra.ModifyTableColumn{Table: "T", BeforeColumn: col("ok", infra.String, true), AfterColumn: col("ok", infra.Int64, true)}}); err != nil {
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
	err = c.Apply(ctx, []infra.Operation{infra.ModifyTableColumn{Table: "T", BeforeColumn: col("n", infra.Int32, false), AfterColumn: col("n", infra.Int32, true)}})
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
	if err := c.Apply(ctx, []infra.Operation{infra.CreateTable{Table: tbl}}); err != nil {
		t.Fatal(err)
	}
	if err := c.Exec(ctx, "INSERT INTO local.A VALUES ('a', ['1', 'abc'])"); err != nil {
		t.Fatal(err)
	}
	err := c.Apply(ctx, []infra.Operation{infra.ModifyTableColumn{Table: "A",
		BeforeColumn: col("xs", infra.Array{Element: infra.String}, true), AfterColumn: col("xs", infra.Array{Element: infra.Int64}, true)}})
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
	if err := c.Apply(ctx, ops); err != nil {
		t.Fatal(err)
	}
	rows, err := c.Query(ctx, "SELECT create_table_query FROM system.tables WHERE database = 'local' AND name = 'L'")
	if err != nil {
		t.Fatal(err)
	}
	var ddl string
	for rows.Next() {
		rows.Scan(&ddl)
	}
	rows.Close()
	for _, want := range []string{"merge_with_ttl_timeout = 3600", "TTL ts + toIntervalDay(1)", "INDEX i_ts ts TYPE minmax GRANULARITY 2", "PROJECTION by_ts", "SAMPLE BY cityHash64(id)"} {
		if !strings.Contains(ddl, want) {
			t.Errorf("DDL lacks %q:\n%s", want, ddl)
		}
	}
	undo := []infra.Operation{
		infra.ModifyTableSettings{Table: "L", BeforeSettings: map[string]string{"merge_with_ttl_timeout": "3600"}, AfterSettings: map[string]string{}},
		infra.ModifyTableTtl{Table: "L", Before: &ttl},
		infra.DropTableIndex{Table: "L", IndexName: "i_ts"},
		infra.DropTableProjection{Table: "L", ProjectionName: "by_ts"},
		infra.RemoveSampleBy{Table: "L"},
	}
	if err := c.Apply(ctx, undo); err != nil {
		t.Fatal(err)
	}
}
