// Package dptest runs the data plane for tests and benchmarks over the
// real embedded ClickHouse and broker, on a Python project applied as the
// dev loop applies it. A test package that uses it calls
// chdb.RunChildIfRequested in its TestMain.
package dptest

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/moose-dev/moose-dev/broker"
	"github.com/moose-dev/moose-dev/dataplane"
	"github.com/moose-dev/moose-dev/differ"
	"github.com/moose-dev/moose-dev/infra"
	"github.com/moose-dev/moose-dev/internal/chtest"
	"github.com/moose-dev/moose-dev/parser"
	"github.com/segmentio/kafka-go"
)

// Env is a running data plane.
type Env struct {
	t      testing.TB
	root   string
	CH     *chtest.Server
	Broker *broker.Embedded
	Topics *broker.Admin
	Plane  *dataplane.Plane
	URL    string // the server's
	State  *infra.Map

	mu      sync.Mutex
	reports []string
}

// Start applies the project whose app/main.py is py and runs the data
// plane on it.
func Start(t testing.TB, py string) *Env {
	t.Helper()
	e := &Env{t: t, root: t.TempDir()}
	e.CH = chtest.Start(t, "local")
	b, err := broker.StartEmbedded("127.0.0.1:"+strconv.Itoa(chtest.FreePort(t)), filepath.Join(e.root, "kafka"))
	if err != nil {
		t.Fatal(err)
	}
	e.Broker = b
	t.Cleanup(b.Close)
	e.Topics = &broker.Admin{Addr: b.Addr, ReplicationFactor: 1}
	w := e.Topics.Writer()
	t.Cleanup(func() { w.Close() })
	report := func(kind, msg string) {
		e.mu.Lock()
		e.reports = append(e.reports, kind+": "+msg)
		e.mu.Unlock()
	}
	e.Plane = &dataplane.Plane{Topics: e.Topics, Server: &dataplane.Server{Producer: w},
		Sync: &dataplane.Sync{Topics: e.Topics, ClickHouse: e.CH.Client, Producer: w, Report: report}}
	t.Cleanup(e.Plane.Sync.Close)
	hs := httptest.NewServer(e.Plane.Server)
	t.Cleanup(hs.Close)
	e.URL = hs.URL
	e.State = infra.NewMap("local")
	e.Apply(py)
	return e
}

// Apply loads the project with app/main.py = py and applies its changes
// as the dev loop does: the data plane paused around them.
func (e *Env) Apply(py string) {
	e.t.Helper()
	os.MkdirAll(filepath.Join(e.root, "app"), 0o755)
	os.WriteFile(filepath.Join(e.root, "app", "__init__.py"), nil, 0o644)
	os.WriteFile(filepath.Join(e.root, "app", "main.py"), []byte(py), 0o644)
	res, err := parser.NewLoader(e.root, "app", "Python").Load("local")
	if err != nil {
		e.t.Fatal(err)
	}
	ctx := context.Background()
	changes := differ.Diff(e.State, res.Map)
	e.Plane.Pause()
	if err := e.CH.Client.Apply(ctx, differ.PlanWith(changes, differ.PlanOptions{KeepData: true}), nil); err != nil {
		e.t.Fatal(err)
	}
	if err := e.Topics.Apply(ctx, differ.TopicChanges(changes)); err != nil {
		e.t.Fatal(err)
	}
	e.State = res.Map
	e.Plane.Resume(res.Map)
}

// Reports are what the sync reported.
func (e *Env) Reports() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.reports...)
}

// Post sends body to the server's path.
func (e *Env) Post(path, body string) (int, string) {
	e.t.Helper()
	resp, err := http.Post(e.URL+path, "application/json", strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// Count runs a counting query.
func (e *Env) Count(sql string) int {
	e.t.Helper()
	rows, err := e.CH.Client.Query(context.Background(), sql)
	if err != nil {
		e.t.Fatal(err)
	}
	defer rows.Close()
	var n uint64
	for rows.Next() {
		rows.Scan(&n)
	}
	return int(n)
}

// WaitCount waits (up to a minute) until the query counts want.
func (e *Env) WaitCount(sql string, want int) {
	e.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	got := -1
	for time.Now().Before(deadline) {
		if got = e.Count(sql); got == want {
			return
		}
		time.Sleep(2 * time.Millisecond)
	}
	e.t.Fatalf("%s: %d rows, want %d (reports: %v)", sql, got, want, e.Reports())
}

// Messages reads a topic from its start, n messages.
func (e *Env) Messages(topic string, n int) [][]byte {
	e.t.Helper()
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: []string{e.Broker.Addr}, Topic: topic, MaxWait: 50 * time.Millisecond})
	defer r.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var out [][]byte
	for len(out) < n {
		m, err := r.ReadMessage(ctx)
		if err != nil {
			e.t.Fatalf("reading %s: %v after %d messages", topic, err, len(out))
		}
		out = append(out, m.Value)
	}
	return out
}
