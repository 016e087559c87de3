package clickhouse

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/moose-dev/moose-dev/differ"
	"github.com/moose-dev/moose-dev/infra"
)

var update = flag.Bool("update", false, "rewrite golden files")

// clusterPlan is one operation of every kind on table Events (and the
// statements the differ writes itself: a table rename, a recreate that
// keeps the rows, views over it), with Events on cluster (nil: on one
// server; noCluster: the differ writes no ON CLUSTER, for a server without
// clusters).
func clusterPlan(cluster *string, noCluster bool) (ops []infra.Operation, maps []*infra.Map) {
	str := func(s string) *string { return &s }
	events := &infra.Table{Name: "Events", Engine: infra.Engine{Name: "ReplicatedMergeTree"}, ClusterName: cluster,
		OrderBy: infra.OrderBy{Fields: []string{"id"}},
		Columns: []infra.Column{{Name: "id", DataType: infra.String, Required: true, PrimaryKey: true}, {Name: "n", DataType: infra.Int32, Required: true}}}
	renamed := *events
	renamed.Name = "Events2"
	changed := *events
	changed.OrderBy = infra.OrderBy{Fields: []string{"n"}}
	col := infra.Column{Name: "note", DataType: infra.String}
	wide := infra.Column{Name: "n", DataType: infra.Int64, Required: true}
	ops = []infra.Operation{
		infra.CreateTable{Table: events},
		infra.AddTableColumn{Table: "Events", Column: col, AfterColumn: str("n"), ClusterName: cluster},
		infra.ModifyTableColumn{Table: "Events", BeforeColumn: events.Columns[1], AfterColumn: wide, ClusterName: cluster},
		infra.RenameTableColumn{Table: "Events", BeforeColumnName: "note", AfterColumnName: "comment", ClusterName: cluster},
		infra.DropTableColumn{Table: "Events", ColumnName: "comment", ClusterName: cluster},
		infra.ModifyTableSettings{Table: "Events", BeforeSettings: map[string]string{"a": "1"}, AfterSettings: map[string]string{"b": "2"}, ClusterName: cluster},
		infra.ModifyTableTtl{Table: "Events", After: str("toDate(now()) + INTERVAL 1 DAY"), ClusterName: cluster},
		infra.ModifyTableTtl{Table: "Events", Before: str("x"), ClusterName: cluster},
		infra.AddTableIndex{Table: "Events", Index: infra.TableIndex{Name: "ix", Expression: "n", Type: "minmax", Granularity: 1}, ClusterName: cluster},
		infra.DropTableIndex{Table: "Events", IndexName: "ix", ClusterName: cluster},
		infra.AddTableProjection{Table: "Events", Projection: infra.TableProjection{Name: "p", Body: "SELECT n ORDER BY n"}, ClusterName: cluster},
		infra.DropTableProjection{Table: "Events", ProjectionName: "p", ClusterName: cluster},
		infra.ModifySampleBy{Table: "Events", Expression: "id", ClusterName: cluster},
		infra.RemoveSampleBy{Table: "Events", ClusterName: cluster},
		infra.CreateMaterializedView{Name: "EventsMV", TargetTable: "Totals", SelectSQL: "SELECT count() AS c FROM `Events`"},
		infra.DropMaterializedView{Name: "EventsMV"},
		infra.CreateView{Name: "EventsView", SelectSQL: "SELECT id FROM `Events`"},
		infra.DropView{Name: "EventsView"},
		infra.DropTable{Table: "Events", ClusterName: cluster},
	}
	ops = append(ops, differ.PlanWith([]differ.Change{differ.RenameTable{Before: events, After: &renamed}}, differ.PlanOptions{NoCluster: noCluster})...)
	ops = append(ops, differ.PlanWith([]differ.Change{differ.RecreateTable{Before: events, After: &changed,
		Columns: []differ.ColumnChange{{Kind: differ.ColumnModified, Before: events.Columns[1], After: events.Columns[1]}}}}, differ.PlanOptions{KeepData: true, NoCluster: noCluster})...)
	m := infra.NewMap("local")
	m.AddTable(events)
	m.MaterializedViews["EventsMV"] = &infra.MaterializedView{Name: "EventsMV", TargetTable: "Totals", SourceTables: []string{"`Events`"}}
	m.Views["EventsView"] = &infra.View{Name: "EventsView", SourceTables: []string{"`local`.`Events`"}}
	return ops, []*infra.Map{m}
}

// TestClusterDDLGolden renders every operation on one server and on a
// cluster, as production and the embedded dev ClickHouse run them
// (testdata/cluster_ddl.txt; -update rewrites it).
func TestClusterDDLGolden(t *testing.T) {
	cluster := "main"
	var b strings.Builder
	for _, c := range []struct {
		name    string
		cluster *string
		render  Render
	}{
		{"production, one server", nil, Render{DB: "local"}},
		{"production, cluster main", &cluster, Render{DB: "local"}},
		{"dev without Keeper, cluster main", &cluster, Render{DB: "local", Dev: true, Keeperless: true}},
	} {
		ops, maps := clusterPlan(c.cluster, c.render.Keeperless)
		c.render.Views = infra.ViewClusters("local", maps...)
		fmt.Fprintf(&b, "=== %s\n", c.name)
		for _, op := range ops {
			stmts, err := c.render.Operation(op)
			if err != nil {
				t.Fatalf("%s: %s: %v", c.name, op.OpName(), err)
			}
			fmt.Fprintf(&b, "-- %s\n", op.OpName())
			for _, s := range stmts {
				fmt.Fprintf(&b, "%s;\n", s)
			}
		}
	}
	path := filepath.Join("testdata", "cluster_ddl.txt")
	if *update {
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if b.String() != string(want) {
		t.Errorf("the rendered DDL differs from %s (run with -update after checking):\n%s", path, b.String())
	}
}

// TestEveryStatementOnAClusteredTableRunsOnCluster checks the rule the
// golden file shows, statement by statement: on a cluster every DDL
// statement says ON CLUSTER (the copy's INSERT and the checks' SELECTs
// are not DDL: they run where the plan runs); on one server, and on the
// dev ClickHouse without Keeper, none does, and nothing is Replicated there.
func TestEveryStatementOnAClusteredTableRunsOnCluster(t *testing.T) {
	cluster := "main"
	check := func(name string, cl *string, r Render, want func(stmt string) bool) {
		ops, maps := clusterPlan(cl, r.Keeperless)
		r.Views = infra.ViewClusters("local", maps...)
		for _, op := range ops {
			stmts, err := r.Operation(op)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range stmts {
				if !want(s) {
					t.Errorf("%s: %s: %s", name, op.OpName(), s)
				}
			}
		}
	}
	ddl := func(s string) bool { return !strings.HasPrefix(s, "INSERT ") && !strings.HasPrefix(s, "SELECT ") }
	check("cluster", &cluster, Render{DB: "local"}, func(s string) bool {
		return !ddl(s) || strings.Contains(s, " ON CLUSTER `main`")
	})
	check("one server", nil, Render{DB: "local"}, func(s string) bool { return !strings.Contains(s, "ON CLUSTER") })
	check("keeperless", &cluster, Render{DB: "local", Dev: true, Keeperless: true}, func(s string) bool {
		return !strings.Contains(s, "ON CLUSTER") && !strings.Contains(s, "Replicated")
	})
}
