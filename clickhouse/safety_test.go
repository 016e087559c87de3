package clickhouse_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/moose-dev/moose-dev/clickhouse"
	"github.com/moose-dev/moose-dev/differ"
	"github.com/moose-dev/moose-dev/infra"
	"github.com/moose-dev/moose-dev/internal/chtest"
)

// A refused type change shows each offending value once, and the failed
// apply it becomes has no SQL line: no statement ran.
func TestARefusedTypeChangeShowsDistinctExamplesAndNoEmptySQLLine(t *testing.T) {
	srv := chtest.Start(t, "local")
	ctx := context.Background()
	c := srv.Client
	tbl := &infra.Table{Name: "D", Engine: infra.MergeTree, OrderBy: infra.OrderBy{Fields: []string{"id"}},
		Columns: []infra.Column{col("id", infra.String, true), col("s", infra.String, true)}}
	if err := c.Apply(ctx, []infra.Operation{infra.CreateTable{Table: tbl}}, nil); err != nil {
		t.Fatal(err)
	}
	if err := c.Exec(ctx, "INSERT INTO local.D VALUES ('a', ''), ('b', ''), ('c', ''), ('d', ''), ('e', ''), ('f', ''), ('g', 'x'), ('h', 'x'), ('i', '7')"); err != nil {
		t.Fatal(err)
	}
	err := c.Apply(ctx, []infra.Operation{infra.ModifyTableColumn{Table: "D", BeforeColumn: col("s", infra.String, true), AfterColumn: col("s", infra.Int64, true)}}, nil)
	var ce *clickhouse.ConversionError
	if !errors.As(err, &ce) {
		t.Fatalf("want a ConversionError, got %v", err)
	}
	if ce.Bad != 8 || ce.Total != 9 {
		t.Fatalf("counted %d of %d bad rows, want 8 of 9", ce.Bad, ce.Total)
	}
	if diff := cmp.Diff([]string{"", "x"}, ce.Examples); diff != "" {
		t.Fatalf("examples (-want +got):\n%s", diff)
	}
	if !strings.Contains(err.Error(), "(e.g. '', 'x')") {
		t.Fatalf("message: %v", err)
	}
	if strings.Contains(err.Error(), "SQL:") {
		t.Fatalf("a refusal before any statement ran shows a SQL line:\n%v", err)
	}
	// a statement that fails shows it
	err = c.Apply(ctx, []infra.Operation{infra.DropTableColumn{Table: "Missing", ColumnName: "x"}}, nil)
	if err == nil || !strings.Contains(err.Error(), "\n  SQL: ALTER TABLE `local`.`Missing` DROP COLUMN") {
		t.Fatalf("a failed statement must be shown:\n%v", err)
	}
}

// The refusal of a recreate at its own Keeper path runs on the server and
// says why, before any of the plan's other steps.
func TestARecreateAtItsOwnKeeperPathIsRefusedByTheServer(t *testing.T) {
	srv := chtest.Start(t, "local")
	events := func(orderBy string) *infra.Table {
		return &infra.Table{Name: "Events", Engine: infra.Engine{Name: "ReplicatedMergeTree",
			Params: map[string]any{"keeper_path": "/clickhouse/tables/events", "replica_name": "r1"}},
			OrderBy: infra.OrderBy{Fields: []string{orderBy}},
			Columns: []infra.Column{{Name: "id", DataType: infra.String, Required: true}, {Name: "n", DataType: infra.Int32, Required: true}}}
	}
	ops := differ.PlanWith([]differ.Change{differ.RecreateTable{Before: events("id"), After: events("n")}}, differ.PlanOptions{KeepData: true})
	err := srv.Client.Apply(context.Background(), ops, nil)
	var ae *clickhouse.ApplyError
	if !errors.As(err, &ae) || ae.Applied != 0 || !strings.Contains(err.Error(), "keeps keeper_path /clickhouse/tables/events, which names neither {uuid} nor {table}") {
		t.Fatalf("want the refusal first, nothing applied: %v", err)
	}
}
