package bench

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/moose-dev/moose-dev/chdb"
	"github.com/moose-dev/moose-dev/internal/dptest"
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

func startIngest(b *testing.B) *dptest.Env {
	b.Helper()
	return dptest.Start(b, ingestProject)
}

func event(i int) string {
	return fmt.Sprintf(`{"id":"e%d","user":"u%d","kind":"click","amount":%d.25,"count":%d,"at":"2026-01-01T00:00:00Z","tags":["a","b"]}`, i, i%100, i, i)
}

func post(b *testing.B, e *dptest.Env, body string) {
	if code, resp := e.Post("/ingest/Event", body); code != 200 {
		b.Fatalf("status %d: %s", code, resp)
	}
}

const countEvents = "SELECT count() FROM local.Event"

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
		post(b, e, body)
	}
	e.WaitCount(countEvents, b.N)
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
		post(b, e, event(i))
		e.WaitCount(countEvents, i+1)
	}
}
