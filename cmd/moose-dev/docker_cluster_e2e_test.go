package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
	"github.com/testcontainers/testcontainers-go"
	tcclickhouse "github.com/testcontainers/testcontainers-go/modules/clickhouse"
	tcnetwork "github.com/testcontainers/testcontainers-go/network"

	"github.com/moose-dev/moose-dev/docker"
	"github.com/moose-dev/moose-dev/migrate"
)

// A ClickHouse cluster of one shard and two replicas coordinated by one
// ClickHouse Keeper, each node a container of the ClickHouse image on a
// network of its own; only the replicas' HTTP ports are published, on
// loopback.
const (
	keeperXML = `<clickhouse>
  <listen_host>0.0.0.0</listen_host>
  <logger><console>1</console><level>warning</level></logger>
  <keeper_server>
    <tcp_port>9181</tcp_port>
    <server_id>1</server_id>
    <log_storage_path>/var/lib/clickhouse-keeper/log</log_storage_path>
    <snapshot_storage_path>/var/lib/clickhouse-keeper/snapshots</snapshot_storage_path>
    <raft_configuration><server><id>1</id><hostname>keeper</hostname><port>9234</port></server></raft_configuration>
  </keeper_server>
</clickhouse>`
	replicaXML = `<clickhouse>
  <zookeeper><node><host>keeper</host><port>9181</port></node></zookeeper>
  <macros><shard>1</shard><replica>%s</replica></macros>
  <remote_servers>
    <moose_cluster>
      <shard>
        <internal_replication>true</internal_replication>
        <replica><host>ch1</host><port>9000</port><user>panda</user><password>pandapass</password></replica>
        <replica><host>ch2</host><port>9000</port><user>panda</user><password>pandapass</password></replica>
      </shard>
    </moose_cluster>
  </remote_servers>
  <distributed_ddl><path>/clickhouse/task_queue/ddl</path></distributed_ddl>
</clickhouse>`
	clusterProject = `from moose_lib import Key, MaterializedView, MaterializedViewOptions, OlapConfig, OlapTable, ReplicatedMergeTreeEngine
from pydantic import BaseModel


class Event(BaseModel):
    id: Key[str]
    name: str


class Total(BaseModel):
    name: str


events = OlapTable[Event]("Events", OlapConfig(cluster="moose_cluster", engine=ReplicatedMergeTreeEngine(), order_by_fields=["id"]))
names_table = OlapTable[Total]("Names", OlapConfig(cluster="moose_cluster", engine=ReplicatedMergeTreeEngine(), order_by_fields=["name"]))
names = MaterializedView[Total](MaterializedViewOptions(
    select_statement="SELECT name FROM Events",
    select_tables=[events],
    materialized_view_name="NamesMV",
), target_table=names_table)
`
)

// loopbackPorts publishes each container port on 127.0.0.1 at a free port.
func loopbackPorts(ports ...string) testcontainers.CustomizeRequestOption {
	return testcontainers.WithHostConfigModifier(func(hc *container.HostConfig) {
		hc.PortBindings = network.PortMap{}
		for _, p := range ports {
			hc.PortBindings[network.MustParsePort(p)] = []network.PortBinding{{HostIP: netip.MustParseAddr("127.0.0.1"), HostPort: "0"}}
		}
	})
}

// TestMigrateIntoATwoReplicaCluster starts a real cluster (Keeper and two
// ClickHouse replicas) through testcontainers-go, migrates a project whose
// tables are ReplicatedMergeTree on it and whose materialized view feeds
// one of them, and checks both replicas: the tables, the view and the
// migration state on each (the DDL ran ON CLUSTER), a row inserted on one
// replica read on the other through its view, and a second migrate with
// nothing to do. Opt-in: MOOSE_DOCKER_TESTS=1; the ClickHouse image is
// docker.ClickHouseImage (MOOSE_DEV_CLICKHOUSE_IMAGE overrides it).
func TestMigrateIntoATwoReplicaCluster(t *testing.T) {
	if os.Getenv("MOOSE_DOCKER_TESTS") != "1" {
		t.Skip("Docker tests are opt-in: MOOSE_DOCKER_TESTS=1")
	}
	t.Setenv("TESTCONTAINERS_HOST_OVERRIDE", "127.0.0.1")
	t.Setenv("TESTCONTAINERS_RYUK_DISABLED", "true")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	nw, err := tcnetwork.New(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nw.Remove(context.Background()) })
	image := docker.ClickHouseImage.Ref()
	keeper, err := testcontainers.Run(ctx, image,
		tcnetwork.WithNetwork([]string{"keeper"}, nw),
		testcontainers.WithFiles(testcontainers.ContainerFile{Reader: strings.NewReader(keeperXML), ContainerFilePath: "/etc/keeper.xml", FileMode: 0o644}),
		testcontainers.WithEntrypoint("clickhouse", "keeper", "--config-file=/etc/keeper.xml"))
	if keeper != nil {
		t.Cleanup(func() { testcontainers.TerminateContainer(keeper) })
	}
	if err != nil {
		t.Fatal(err)
	}
	urls := map[string]string{}
	for _, name := range []string{"ch1", "ch2"} {
		c, err := tcclickhouse.Run(ctx, image,
			tcclickhouse.WithUsername("panda"), tcclickhouse.WithPassword("pandapass"), tcclickhouse.WithDatabase("local"),
			tcnetwork.WithNetwork([]string{name}, nw),
			testcontainers.WithFiles(testcontainers.ContainerFile{Reader: strings.NewReader(fmt.Sprintf(replicaXML, name)),
				ContainerFilePath: "/etc/clickhouse-server/config.d/cluster.xml", FileMode: 0o644}),
			loopbackPorts("8123/tcp", "9000/tcp"))
		if c != nil {
			t.Cleanup(func() { testcontainers.TerminateContainer(c) })
		}
		if err != nil {
			t.Fatal(err)
		}
		port, err := c.MappedPort(ctx, "8123/tcp")
		if err != nil {
			t.Fatal(err)
		}
		urls[name] = fmt.Sprintf("http://panda:pandapass@127.0.0.1:%d/local", port.Num())
	}
	query := func(node, sql string) (string, error) {
		resp, err := http.Post(strings.TrimSuffix(urls[node], "/local")+"/?"+url.Values{"query": {sql}}.Encode(), "text/plain", nil)
		if err != nil {
			return "", err
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			return "", fmt.Errorf("%s: %s", node, b)
		}
		return strings.TrimSpace(string(b)), nil
	}
	must := func(node, sql string) string {
		t.Helper()
		out, err := query(node, sql)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	// both replicas reach Keeper and see the cluster before anything runs
	for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(500 * time.Millisecond) {
		a, errA := query("ch1", "SELECT count() FROM system.zookeeper WHERE path = '/'")
		b, errB := query("ch2", "SELECT count() FROM system.clusters WHERE cluster = 'moose_cluster'")
		if errA == nil && errB == nil && a != "0" && b == "2" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the cluster did not come up: %v %v", errA, errB)
		}
	}

	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "app"), 0o755)
	os.WriteFile(filepath.Join(dir, "moose.config.toml"), []byte("language = \"Python\"\n[features]\nstreaming_engine = false\n\n[[clickhouse_config.clusters]]\nname = \"moose_cluster\"\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "app", "main.py"), []byte(clusterProject), 0o644)
	run := func(args ...string) string { t.Helper(); return runAgainst(t, dir, urls["ch1"], args...) }
	if out := run("plan", "--json"); !strings.Contains(out, "ON CLUSTER `moose_cluster`") {
		t.Fatalf("plan --json shows no ON CLUSTER:\n%s", out)
	}
	run("generate", "migration", "--save")
	if out := run("migrate"); !strings.Contains(out, "Creating table 'Events'") {
		t.Fatalf("migrate:\n%s", out)
	}
	for _, node := range []string{"ch1", "ch2"} {
		got := must(node, "SELECT name, engine FROM system.tables WHERE database = 'local' ORDER BY name FORMAT CSV")
		for _, want := range []string{`"Events","ReplicatedMergeTree"`, `"Names","ReplicatedMergeTree"`, `"NamesMV","MaterializedView"`,
			`"` + migrate.StateTable + `","ReplicatedMergeTree"`} {
			if !strings.Contains(got, want) {
				t.Fatalf("%s is missing %s:\n%s", node, want, got)
			}
		}
	}
	must("ch1", "INSERT INTO local.Events (id, name) VALUES ('a', 'first')")
	must("ch2", "SYSTEM SYNC REPLICA local.Names")
	if got := must("ch2", "SELECT name FROM local.Names"); got != "first" {
		t.Fatalf("ch2 reads %q from Names, want the row inserted on ch1 through the view", got)
	}
	must("ch1", "SYSTEM SYNC REPLICA local."+migrate.StateTable)
	stateOn := func(node string) string {
		return must(node, "SELECT count() FROM local."+migrate.StateTable)
	}
	if a, b := stateOn("ch1"), stateOn("ch2"); a == "0" || a != b {
		t.Fatalf("migration state rows: ch1 %s, ch2 %s; want the same, not none", a, b)
	}
	// the state migrate wrote is the cluster's: a migrate against the
	// other replica finds nothing to do
	if out := runAgainst(t, dir, urls["ch2"], "migrate"); !strings.Contains(out, "already match") {
		t.Fatalf("migrate against ch2 after ch1:\n%s", out)
	}
}
