package docker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/moose-dev/moose-dev/chdb"
	"github.com/moose-dev/moose-dev/clickhouse"
)

// The tests below run real containers and are opt-in: MOOSE_DOCKER_TESTS=1.
// They reach only loopback (the provider publishes on 127.0.0.1 for a local
// engine; TESTCONTAINERS_HOST_OVERRIDE is pinned to it). Without registry
// access, build stand-in images first: docker/testdata/standin-images.sh.

func TestMain(m *testing.M) {
	chdb.RunChildIfRequested()
	os.Exit(m.Run())
}

func dockerTest(t *testing.T) *engine {
	t.Helper()
	if os.Getenv("MOOSE_DOCKER_TESTS") != "1" {
		t.Skip("Docker tests are opt-in: MOOSE_DOCKER_TESTS=1")
	}
	t.Setenv("TESTCONTAINERS_HOST_OVERRIDE", "127.0.0.1")
	t.Setenv("TESTCONTAINERS_RYUK_DISABLED", "true")
	network, address, err := Endpoint()
	if err != nil {
		t.Fatal(err)
	}
	if err := Ping(context.Background(), network, address); err != nil {
		t.Fatal(err)
	}
	return newEngine(network, address)
}

// remove deletes a test project's containers and their volumes.
func (e *engine) remove(t *testing.T, project string) {
	for _, role := range []string{"clickhouse", "redpanda", "temporal"} {
		name := containerName(project, role)
		for _, u := range []string{"http://docker/containers/" + name + "?force=1", "http://docker/volumes/" + name + "-data?force=1"} {
			req, _ := http.NewRequest(http.MethodDelete, u, nil)
			if resp, err := e.client.Do(req); err == nil {
				resp.Body.Close()
			}
		}
	}
}

func testOptions(t *testing.T, project string) Options {
	return Options{Project: project, ProjectDir: t.TempDir(),
		ClickHouse: ClickHouseOptions{HostPort: freePort(t), NativePort: freePort(t), User: "panda", Password: "pandapass", Database: "local"},
		Broker:     &BrokerOptions{HostPort: freePort(t)},
		Temporal:   &TemporalOptions{HostPort: freePort(t)},
		Log:        testWriter{t}}
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

func TestDockerServicesStartAnswerAndKeepDataAcrossRestarts(t *testing.T) {
	eng := dockerTest(t)
	project := fmt.Sprintf("dockertest-%d", time.Now().UnixNano())
	t.Cleanup(func() { eng.remove(t, project) })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	o := testOptions(t, project)

	s, err := Start(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("127.0.0.1:%d", o.ClickHouse.HostPort); s.ClickHouseAddr != want {
		t.Fatalf("ClickHouse at %s, want the configured %s", s.ClickHouseAddr, want)
	}
	ch := openClickHouse(t, ctx, s, o)
	for _, q := range []string{"CREATE DATABASE IF NOT EXISTS local", "CREATE TABLE local.kept (id UInt32) ENGINE = MergeTree ORDER BY id", "INSERT INTO local.kept VALUES (7)"} {
		if err := ch.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	ch.Close()
	// the native port is published too
	native, err := clickhouse.Open(ctx, clickhouse.Config{Addr: fmt.Sprintf("127.0.0.1:%d", o.ClickHouse.NativePort), Native: true,
		User: o.ClickHouse.User, Password: o.ClickHouse.Password, Database: "local"})
	if err != nil {
		t.Fatalf("native protocol: %v", err)
	}
	native.Close()
	k := &kafka.Client{Addr: kafka.TCP(s.BrokerAddr), Timeout: 10 * time.Second}
	if _, err := k.CreateTopics(ctx, &kafka.CreateTopicsRequest{Topics: []kafka.TopicConfig{{Topic: "events", NumPartitions: 2, ReplicationFactor: 1}}}); err != nil {
		t.Fatalf("create topic: %v", err)
	}
	if c, err := net.DialTimeout("tcp", s.TemporalAddr, 5*time.Second); err != nil {
		t.Fatalf("Temporal at %s: %v", s.TemporalAddr, err)
	} else {
		c.Close()
	}
	for _, role := range []string{"clickhouse", "redpanda", "temporal"} {
		assertPublishedOnLoopbackOnly(t, eng, containerName(project, role))
	}
	if err := s.Stop(ctx); err != nil {
		t.Fatal(err)
	}

	s, err = Start(ctx, o) // the same containers, started again
	if err != nil {
		t.Fatal(err)
	}
	defer s.Stop(context.Background())
	ch = openClickHouse(t, ctx, s, o)
	defer ch.Close()
	rows, err := ch.Query(ctx, "SELECT id FROM local.kept")
	if err != nil {
		t.Fatalf("after a restart: %v", err)
	}
	var ids []uint32
	for rows.Next() {
		var n uint32
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, n)
	}
	rows.Close()
	if len(ids) != 1 || ids[0] != 7 {
		t.Fatalf("after a restart the table holds %v, want [7]", ids)
	}
	md, err := (&kafka.Client{Addr: kafka.TCP(s.BrokerAddr), Timeout: 10 * time.Second}).Metadata(ctx, &kafka.MetadataRequest{Topics: []string{"events"}})
	if err != nil || len(md.Topics) != 1 || md.Topics[0].Error != nil || len(md.Topics[0].Partitions) != 2 {
		t.Fatalf("topic after a restart: %+v %v", md, err)
	}
}

func openClickHouse(t *testing.T, ctx context.Context, s *Services, o Options) *clickhouse.Client {
	t.Helper()
	c, err := clickhouse.Open(ctx, clickhouse.Config{Addr: s.ClickHouseAddr, User: o.ClickHouse.User, Password: o.ClickHouse.Password, Database: "default"})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// assertPublishedOnLoopbackOnly reads the container's port bindings.
func assertPublishedOnLoopbackOnly(t *testing.T, eng *engine, name string) {
	t.Helper()
	resp, err := eng.client.Get("http://docker/containers/" + name + "/json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var info struct {
		HostConfig struct {
			PortBindings map[string][]struct{ HostIP string }
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&info); err != nil {
		t.Fatal(err)
	}
	if len(info.HostConfig.PortBindings) == 0 {
		t.Fatalf("%s publishes no ports", name)
	}
	for port, bs := range info.HostConfig.PortBindings {
		for _, b := range bs {
			if b.HostIP != "127.0.0.1" {
				t.Errorf("%s publishes %s on %q", name, port, b.HostIP)
			}
		}
	}
}

func TestDockerSaysWhichPortIsTaken(t *testing.T) {
	eng := dockerTest(t)
	project := fmt.Sprintf("dockertest-%d", time.Now().UnixNano())
	t.Cleanup(func() { eng.remove(t, project) })
	o := testOptions(t, project)
	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", o.ClickHouse.HostPort))
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, err = Start(context.Background(), o)
	if want := fmt.Sprintf("port %d is taken by PID %d", o.ClickHouse.HostPort, os.Getpid()); err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("want %q, got %v", want, err)
	}
}

func TestDockerSaysAnImageCannotBePulled(t *testing.T) {
	eng := dockerTest(t)
	project := fmt.Sprintf("dockertest-%d", time.Now().UnixNano())
	t.Cleanup(func() { eng.remove(t, project) })
	t.Setenv(ClickHouseImage.Env, "moose-dev-standin/does-not-exist:never")
	start := time.Now()
	_, err := Start(context.Background(), testOptions(t, project))
	var pe *ImagePullError
	if !errors.As(err, &pe) || pe.Image != "moose-dev-standin/does-not-exist:never" {
		t.Fatalf("want an ImagePullError, got %v", err)
	}
	t.Logf("answered in %v: %v", time.Since(start).Round(time.Millisecond), err)
}
