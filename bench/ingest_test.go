package bench

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/moose-dev/moose-dev/broker"
	"github.com/moose-dev/moose-dev/chdb"
	"github.com/moose-dev/moose-dev/dataplane"
	"github.com/moose-dev/moose-dev/differ"
	"github.com/moose-dev/moose-dev/infra"
	"github.com/moose-dev/moose-dev/internal/chtest"
	"github.com/moose-dev/moose-dev/parser"
)

func TestMain(m *testing.M) {
	chdb.RunChildIfRequested()
	os.Exit(m.Run())
}

const ingestProject = `from datetime import datetime
from moose_lib import IngestPipeline, IngestPipelineConfig, Key
from pydantic import BaseModel

class Event(BaseModel):
    id: Key[str]
    user: str
    kind: str
    amount: float
    count: int
    at: datetime
    tags: list[str]

events = IngestPipeline[Event]("Event", IngestPipelineConfig(table=True, stream=True, ingest_api=True, dead_letter_queue=True))
`

// ingestEnv is the data plane over the real embedded ClickHouse and broker.
type ingestEnv struct {
	url   string
	count func() int
}

func startIngest(b *testing.B) *ingestEnv {
	b.Helper()
	root := b.TempDir()
	os.MkdirAll(filepath.Join(root, "app"), 0o755)
	os.WriteFile(filepath.Join(root, "app", "__init__.py"), nil, 0o644)
	os.WriteFile(filepath.Join(root, "app", "main.py"), []byte(ingestProject), 0o644)
	res, err := parser.NewLoader(root, "app", "Python").Load("local")
	if err != nil {
		b.Fatal(err)
	}
	srv := chtest.Start(b, "local")
	br, err := broker.StartEmbedded("127.0.0.1:"+strconv.Itoa(chtest.FreePort(b)), filepath.Join(root, "kafka"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(br.Close)
	topics := &broker.Admin{Addr: br.Addr, ReplicationFactor: 1}
	ctx := context.Background()
	changes := differ.Diff(infra.NewMap("local"), res.Map)
	if err := srv.Client.Apply(ctx, differ.Plan(changes)); err != nil {
		b.Fatal(err)
	}
	if err := topics.Apply(ctx, differ.TopicChanges(changes)); err != nil {
		b.Fatal(err)
	}
	w := topics.Writer()
	plane := &dataplane.Plane{Topics: topics, Server: &dataplane.Server{Producer: w},
		Sync: &dataplane.Sync{Topics: topics, ClickHouse: srv.Client, Producer: w}}
	plane.Resume(res.Map)
	b.Cleanup(func() { plane.Sync.Close(); w.Close() })
	hs := httptest.NewServer(plane.Server)
	b.Cleanup(hs.Close)
	return &ingestEnv{url: hs.URL + "/ingest/Event", count: func() int {
		rows, err := srv.Client.Query(ctx, "SELECT count() FROM local.Event")
		if err != nil {
			b.Fatal(err)
		}
		defer rows.Close()
		var n uint64
		for rows.Next() {
			rows.Scan(&n)
		}
		return int(n)
	}}
}

func event(i int) string {
	return fmt.Sprintf(`{"id":"e%d","user":"u%d","kind":"click","amount":%d.25,"count":%d,"at":"2026-01-01T00:00:00Z","tags":["a","b"]}`, i, i%100, i, i)
}

func (e *ingestEnv) post(b *testing.B, body string) {
	resp, err := http.Post(e.url, "application/json", strings.NewReader(body))
	if err != nil {
		b.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		b.Fatalf("status %d", resp.StatusCode)
	}
}

func (e *ingestEnv) waitFor(b *testing.B, n int) {
	for deadline := time.Now().Add(60 * time.Second); e.count() < n; time.Sleep(2 * time.Millisecond) {
		if time.Now().After(deadline) {
			b.Fatalf("%d of %d rows after 60 s", e.count(), n)
		}
	}
}

// benchIngest posts b.N records in requests of batch records and waits
// until the table has them all: records per second from POST to visible.
func benchIngest(b *testing.B, batch int) {
	e := startIngest(b)
	bodies := make([]string, 0, b.N/batch+1)
	for i := 0; i < b.N; i += batch {
		var recs []string
		for k := i; k < i+batch && k < b.N; k++ {
			recs = append(recs, event(k))
		}
		bodies = append(bodies, "["+strings.Join(recs, ",")+"]")
	}
	b.ResetTimer()
	start := time.Now()
	for _, body := range bodies {
		e.post(b, body)
	}
	e.waitFor(b, b.N)
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "records/s")
}

func BenchmarkIngestBatch1(b *testing.B)    { benchIngest(b, 1) }
func BenchmarkIngestBatch1000(b *testing.B) { benchIngest(b, 1000) }

// BenchmarkIngestOneRecordLatency is the time from POSTing one record to
// seeing it in the table.
func BenchmarkIngestOneRecordLatency(b *testing.B) {
	e := startIngest(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		e.post(b, event(i))
		e.waitFor(b, i+1)
	}
}
