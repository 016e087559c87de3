package clickhouse_test

import (
	"context"
	"testing"

	"github.com/moose-dev/moose-dev/infra"
	"github.com/moose-dev/moose-dev/internal/chtest"
)

// Optional[str] -> str: ClickHouse refuses a plain MODIFY COLUMN from a
// Nullable type even when no NULL is left; the executor gives it a DEFAULT
// for the change and removes it after, so the column ends as the code says.
func TestANullableColumnWithoutNullsBecomesRequired(t *testing.T) {
	srv := chtest.Start(t, "local")
	ctx := context.Background()
	c := srv.Client
	tbl := &infra.Table{Name: "T", Engine: infra.MergeTree, OrderBy: infra.OrderBy{Fields: []string{"id"}},
		Columns: []infra.Column{col("id", infra.String, true), col("s", infra.String, false)}}
	if err := c.Apply(ctx, []infra.Operation{infra.CreateTable{Table: tbl}}, nil); err != nil {
		t.Fatal(err)
	}
	if err := c.Exec(ctx, "INSERT INTO local.T VALUES ('a', 'kept')"); err != nil {
		t.Fatal(err)
	}
	if err := c.Apply(ctx, []infra.Operation{infra.ModifyTableColumn{Table: "T", BeforeColumn: col("s", infra.String, false), AfterColumn: col("s", infra.String, true)}}, nil); err != nil {
		t.Fatal(err)
	}
	tables, err := c.Tables(ctx, "local")
	if err != nil {
		t.Fatal(err)
	}
	s := tables["T"].Columns[1]
	if s.Type != "String" || s.DefaultKind != "" {
		t.Fatalf("column s is %s with default %q %q, want String and no default", s.Type, s.DefaultKind, s.DefaultExpr)
	}
	rows, err := c.Query(ctx, "SELECT s FROM local.T")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var v string
	if !rows.Next() || rows.Scan(&v) != nil || v != "kept" {
		t.Fatalf("s = %q", v)
	}
}
