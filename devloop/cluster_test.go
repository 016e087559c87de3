package devloop_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/moose-dev/moose-dev/devloop"
	"github.com/moose-dev/moose-dev/infra"
	"github.com/moose-dev/moose-dev/project"
)

const clusterModels = `from moose_lib import Key, MaterializedView, MaterializedViewOptions, OlapConfig, OlapTable, ReplicatedMergeTreeEngine
from pydantic import BaseModel


class Event(BaseModel):
    id: Key[str]
    name: str


class Total(BaseModel):
    name: str


events = OlapTable[Event]("Events", OlapConfig(cluster="main", engine=ReplicatedMergeTreeEngine(), order_by_fields=["id"]))
names = MaterializedView[Total](MaterializedViewOptions(
    select_statement="SELECT name FROM Events",
    select_tables=[events],
    table_name="Names",
    materialized_view_name="NamesMV",
    order_by_fields=["name"],
))
`

// TestAClusteredProjectRunsOnTheKeeperlessDevClickHouse: a project whose
// tables are Replicated and on a cluster runs on the one-node dev
// ClickHouse (no Keeper, no cluster): created in their plain forms without
// ON CLUSTER, read back as the same (a second load changes nothing), and a
// recreate keeps the rows.
func TestAClusteredProjectRunsOnTheKeeperlessDevClickHouse(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	os.WriteFile(filepath.Join(f.proj.Root, "moose.config.toml"), []byte("language = \"Python\"\n\n[[clickhouse_config.clusters]]\nname = \"main\"\n"), 0o644)
	proj, err := project.Load(f.proj.Root)
	if err != nil {
		t.Fatal(err)
	}
	f.proj = proj
	f.srv.Client.Keeperless = true
	f.srv.Client.Dev = true
	f.write(clusterModels)
	f.loop = f.newLoop()
	if _, err := f.loop.Reload(ctx, true); err != nil {
		t.Fatal(err, f.out.String())
	}
	tables, err := f.srv.Client.Tables(ctx, "local")
	if err != nil {
		t.Fatal(err)
	}
	if tables["Events"] == nil || tables["Events"].Engine != "MergeTree" || tables["Names"] == nil {
		t.Fatalf("tables: %v\n%s", tables, f.out.String())
	}
	if err := f.srv.Client.Exec(ctx, "INSERT INTO local.Events VALUES ('a', 'x'), ('b', 'y')"); err != nil {
		t.Fatal(err)
	}
	var names string
	if err := f.srv.Client.QueryRow(ctx, "SELECT arrayStringConcat(arraySort(groupArray(name)), ',') FROM local.Names").Scan(&names); err != nil || names != "x,y" {
		t.Fatalf("the materialized view wrote %q (%v), want x,y", names, err)
	}
	f.out.Reset()
	tm, err := f.loop.Reload(ctx, true)
	if err != nil || tm.Changes != 0 {
		t.Fatalf("a second load with nothing changed applied %d changes (%v):\n%s", tm.Changes, err, f.out.String())
	}
	f.write(strings.Replace(clusterModels, `order_by_fields=["id"]`, `order_by_fields=["id", "name"]`, 1))
	if _, err := f.loop.Reload(ctx, true); err != nil {
		t.Fatal(err, f.out.String())
	}
	if got := strings.Join(rowsOf(t, f, "Events", "id", "name"), ","); got != "a|x,b|y" {
		t.Fatalf("rows after the recreate: %s, want a|x,b|y\n%s", got, f.out.String())
	}
	data, err := os.ReadFile(filepath.Join(f.proj.StateDir(), devloop.StateFile))
	if err != nil {
		t.Fatal(err)
	}
	m, err := infra.UnmarshalMap(data)
	if err != nil || m.Tables["local_Events"] == nil || m.Tables["local_Events"].ClusterName == nil || *m.Tables["local_Events"].ClusterName != "main" {
		t.Fatalf("the stored map lost the table's cluster (%v):\n%s", err, data)
	}
}
