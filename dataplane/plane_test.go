package dataplane

import (
	"bytes"
	"context"
	"fmt"
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
	"github.com/moose-dev/moose-dev/chdb"
	"github.com/moose-dev/moose-dev/differ"
	"github.com/moose-dev/moose-dev/infra"
	"github.com/moose-dev/moose-dev/internal/chtest"
	"github.com/moose-dev/moose-dev/parser"
	"github.com/segmentio/kafka-go"
)

func TestMain(m *testing.M) {
	chdb.RunChildIfRequested()
	os.Exit(m.Run())
}

const ordersPy = `from datetime import datetime
from enum import Enum
from typing import Optional
from moose_lib import IngestPipeline, IngestPipelineConfig, Key
from pydantic import BaseModel

class Status(str, Enum):
    NEW = "new"
    DONE = "done"

class Order(BaseModel):
    id: Key[str]
    qty: int
    amount: float
    status: Status
    at: datetime
    note: Optional[str] = None
    tags: list[str]

orders = IngestPipeline[Order]("Order", IngestPipelineConfig(table=True, stream=True, ingest_api=True, dead_letter_queue=True))
`

// env is a real embedded ClickHouse and broker with a project applied.
type env struct {
	t      *testing.T
	root   string
	srv    *chtest.Server
	b      *broker.Embedded
	topics *broker.Admin
	plane  *Plane
	http   *httptest.Server
	state  *infra.Map
	mu     sync.Mutex
	notes  []string
}

func newEnv(t *testing.T, py string) *env {
	t.Helper()
	e := &env{t: t, root: t.TempDir()}
	e.srv = chtest.Start(t, "local")
	b, err := broker.StartEmbedded("127.0.0.1:"+strconv.Itoa(chtest.FreePort(t)), filepath.Join(e.root, "kafka"))
	if err != nil {
		t.Fatal(err)
	}
	e.b = b
	t.Cleanup(b.Close)
	e.topics = &broker.Admin{Addr: b.Addr, ReplicationFactor: 1}
	w := e.topics.Writer()
	t.Cleanup(func() { w.Close() })
	report := func(kind, msg string) {
		e.mu.Lock()
		e.notes = append(e.notes, kind+": "+msg)
		e.mu.Unlock()
	}
	e.plane = &Plane{Topics: e.topics, Server: &Server{Producer: w},
		Sync: &Sync{Topics: e.topics, ClickHouse: e.srv.Client, Producer: w, Report: report}}
	t.Cleanup(e.plane.Sync.Close)
	e.http = httptest.NewServer(e.plane.Server)
	t.Cleanup(e.http.Close)
	e.state = infra.NewMap("local")
	e.apply(py)
	return e
}

// apply loads the project and applies its changes, as the dev loop does
// (pausing the data plane around them).
func (e *env) apply(py string) {
	e.t.Helper()
	os.MkdirAll(filepath.Join(e.root, "app"), 0o755)
	os.WriteFile(filepath.Join(e.root, "app", "__init__.py"), nil, 0o644)
	os.WriteFile(filepath.Join(e.root, "app", "main.py"), []byte(py), 0o644)
	res, err := parser.NewLoader(e.root, "app", "Python").Load("local")
	if err != nil {
		e.t.Fatal(err)
	}
	ctx := context.Background()
	changes := differ.Diff(e.state, res.Map)
	e.plane.Pause()
	if err := e.srv.Client.Apply(ctx, differ.PlanWith(changes, differ.PlanOptions{KeepData: true})); err != nil {
		e.t.Fatal(err)
	}
	if err := e.topics.Apply(ctx, differ.TopicChanges(changes)); err != nil {
		e.t.Fatal(err)
	}
	e.state = res.Map
	e.plane.Resume(res.Map)
}

func (e *env) post(path, body string) (int, string) {
	e.t.Helper()
	resp, err := http.Post(e.http.URL+path, "application/json", strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func (e *env) count(sql string) int {
	e.t.Helper()
	rows, err := e.srv.Client.Query(context.Background(), sql)
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

// waitCount waits until the query counts want rows.
func (e *env) waitCount(sql string, want int) {
	e.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	got := -1
	for time.Now().Before(deadline) {
		if got = e.count(sql); got == want {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	e.t.Fatalf("%s: %d rows, want %d (reports: %v)", sql, got, want, e.notes)
}

// messages reads a topic from the start, up to n messages.
func (e *env) messages(topic string, n int) [][]byte {
	e.t.Helper()
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: []string{e.b.Addr}, Topic: topic, MaxWait: 50 * time.Millisecond})
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

func order(i int) string {
	return fmt.Sprintf(`{"id":"o%d","qty":%d,"amount":%d.5,"status":"new","at":"2024-01-01T00:00:%02dZ","tags":["a"]}`, i, i, i, i%60)
}

func TestIngestLandsRowsAndRefusesWholeInvalidRequests(t *testing.T) {
	e := newEnv(t, ordersPy)
	if code, body := e.post("/ingest/Order", order(1)); code != 200 || body != "SUCCESS" {
		t.Fatalf("one record: %d %s", code, body)
	}
	var batch []string
	for i := 2; i <= 101; i++ {
		batch = append(batch, order(i))
	}
	if code, body := e.post("/ingest/order", "["+strings.Join(batch, ",")+"]"); code != 200 {
		t.Fatalf("a batch (path in another case): %d %s", code, body)
	}
	e.waitCount("SELECT count() FROM local.`Order`", 101)

	// one bad record refuses the request: nothing of it is written, all of
	// it goes to the dead letter queue
	bad := "[" + order(200) + `,{"id":"x","qty":"many","amount":1,"status":"new","at":"2024-01-01T00:00:00Z","tags":[]}]`
	code, body := e.post("/ingest/Order", bad)
	if code != 400 || !strings.HasPrefix(body, `Invalid JSON: invalid type: string "many", expected an integer value at qty at line 1 column`) || !strings.HasSuffix(body, "(record 1)") {
		t.Fatalf("invalid batch: %d %s", code, body)
	}
	dlq := e.messages("OrderDeadLetterQueue", 2)
	for i, m := range dlq {
		for _, want := range []string{`"originalRecord":{"id":`, `"errorType":"ValidationError"`, `"source":"api"`, `"topic":"Order"`, `"errorMessage":"invalid type: string \"many\"`} {
			if !bytes.Contains(m, []byte(want)) {
				t.Fatalf("dead letter %d lacks %s: %s", i, want, m)
			}
		}
	}
	time.Sleep(300 * time.Millisecond) // past a flush
	if n := e.count("SELECT count() FROM local.`Order` WHERE id IN ('o200', 'x')"); n != 0 {
		t.Fatalf("%d rows of a refused request reached the table", n)
	}
	if code, body := e.post("/ingest/Nope", order(1)); code != 404 || body != "Please run `moose ls` to view your routes" {
		t.Fatalf("unknown API: %d %s", code, body)
	}
	big := "[" + strings.Repeat(order(1)+",", 120000) + order(1) + "]"
	if code, body := e.post("/ingest/Order", big); code != 413 || body != "Request body too large. Maximum size is 10485760 bytes" {
		t.Fatalf("too large: %d %.80s", code, body)
	}
	if code, _ := e.post("/api/stats", ""); code != 501 {
		t.Fatalf("consumption API: %d", code)
	}
}

// A column added while records flow is filled from then on; one dropped
// is ignored; nothing acknowledged is lost, and the recreate's copy and
// exchange see no row written between them.
func TestSyncFollowsSchemaChangesWithoutLosingRows(t *testing.T) {
	e := newEnv(t, ordersPy)
	const total = 3000
	var wg sync.WaitGroup
	wg.Add(1)
	sent := 0
	go func() {
		defer wg.Done()
		for i := 0; i < total; i += 100 {
			var batch []string
			for k := i; k < i+100; k++ {
				batch = append(batch, strings.Replace(order(k), `"tags"`, `"region":"eu","tags"`, 1))
			}
			code, body := e.post("/ingest/Order", "["+strings.Join(batch, ",")+"]")
			if code != 200 {
				t.Errorf("batch at %d: %d %s", i, code, body)
				return
			}
			sent += 100
			time.Sleep(5 * time.Millisecond)
		}
	}()
	time.Sleep(100 * time.Millisecond)
	withRegion := strings.Replace(ordersPy, "    tags: list[str]\n", "    tags: list[str]\n    region: Optional[str] = None\n", 1)
	e.apply(withRegion) // a new column: region is sent from the start, dropped by the API until the model has it
	time.Sleep(100 * time.Millisecond)
	reordered := strings.Replace(withRegion, `Key[str]`, `str`, 1)
	reordered = strings.Replace(reordered, `IngestPipelineConfig(table=True`, `IngestPipelineConfig(table=OlapConfig(order_by_fields=["qty", "id"])`, 1)
	reordered = strings.Replace(reordered, "import IngestPipeline,", "import IngestPipeline, OlapConfig,", 1)
	for i := 0; i < 3; i++ { // ORDER BY changes: the table is recreated with its rows copied, each time
		e.apply(reordered)
		e.apply(withRegion)
	}
	wg.Wait()
	e.waitCount("SELECT count() FROM local.`Order`", sent)
	if sent != total {
		t.Fatalf("sent %d of %d", sent, total)
	}
	if n := e.count("SELECT count() FROM local.`Order` WHERE region = 'eu'"); n == 0 {
		t.Fatalf("the new column was never filled (reports: %v)", e.notes)
	}
}

// While paused (the dev loop applying changes) nothing reaches a table;
// on resume everything held does.
func TestPausedSyncInsertsNothingUntilResumed(t *testing.T) {
	e := newEnv(t, ordersPy)
	e.post("/ingest/Order", order(1))
	e.waitCount("SELECT count() FROM local.`Order`", 1)
	e.plane.Pause()
	for i := 2; i <= 50; i++ {
		if code, body := e.post("/ingest/Order", order(i)); code != 200 {
			t.Fatalf("%d %s", code, body)
		}
	}
	time.Sleep(3 * SyncFlushInterval)
	if n := e.count("SELECT count() FROM local.`Order`"); n != 1 {
		t.Fatalf("%d rows while paused, want 1", n)
	}
	e.plane.Resume(e.state)
	e.waitCount("SELECT count() FROM local.`Order`", 50)
}

// A record the table cannot take (written to the stream by something other
// than the ingest API) goes to the dead letter queue; the records around
// it land; the partition does not stall.
func TestSyncSetsAsideWhatTheTableRefuses(t *testing.T) {
	e := newEnv(t, ordersPy)
	w := e.topics.Writer()
	defer w.Close()
	bad := `{"id":"bad","qty":"lots","amount":1,"status":"new","at":"2024-01-01T00:00:00Z","tags":[]}`
	if err := w.WriteMessages(context.Background(), kafka.Message{Topic: "Order", Value: []byte(order(1))},
		kafka.Message{Topic: "Order", Value: []byte(bad)}, kafka.Message{Topic: "Order", Value: []byte(order(2))}); err != nil {
		t.Fatal(err)
	}
	e.waitCount("SELECT count() FROM local.`Order`", 2)
	dl := e.messages("OrderDeadLetterQueue", 1)[0]
	for _, want := range []string{`"originalRecord":{"id":"bad"`, `"source":"table"`, `"errorType":"ClickHouseInsertError"`} {
		if !bytes.Contains(dl, []byte(want)) {
			t.Fatalf("dead letter lacks %s: %s", want, dl)
		}
	}
	e.post("/ingest/Order", order(3))
	e.waitCount("SELECT count() FROM local.`Order`", 3)
}
