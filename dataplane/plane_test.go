package dataplane_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/moose-dev/moose-dev/chdb"
	"github.com/moose-dev/moose-dev/dataplane"
	"github.com/moose-dev/moose-dev/internal/dptest"
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

func order(i int) string {
	return fmt.Sprintf(`{"id":"o%d","qty":%d,"amount":%d.5,"status":"new","at":"2024-01-01T00:00:%02dZ","tags":["a"]}`, i, i, i, i%60)
}

func TestIngestLandsRowsAndRefusesWholeInvalidRequests(t *testing.T) {
	e := dptest.Start(t, ordersPy)
	if code, body := e.Post("/ingest/Order", order(1)); code != 200 || body != "SUCCESS" {
		t.Fatalf("one record: %d %s", code, body)
	}
	var batch []string
	for i := 2; i <= 101; i++ {
		batch = append(batch, order(i))
	}
	if code, body := e.Post("/ingest/order", "["+strings.Join(batch, ",")+"]"); code != 200 {
		t.Fatalf("a batch (path in another case): %d %s", code, body)
	}
	e.WaitCount("SELECT count() FROM local.`Order`", 101)

	// one bad record refuses the request: nothing of it is written, all of
	// it goes to the dead letter queue
	bad := "[" + order(200) + `,{"id":"x","qty":"many","amount":1,"status":"new","at":"2024-01-01T00:00:00Z","tags":[]}]`
	code, body := e.Post("/ingest/Order", bad)
	if code != 400 || !strings.HasPrefix(body, `Invalid JSON: invalid type: string "many", expected an integer value at qty at line 1 column`) || !strings.HasSuffix(body, "(record 1)") {
		t.Fatalf("invalid batch: %d %s", code, body)
	}
	dlq := e.Messages("OrderDeadLetterQueue", 2)
	for i, m := range dlq {
		for _, want := range []string{`"originalRecord":{"id":`, `"errorType":"ValidationError"`, `"source":"api"`, `"topic":"Order"`, `"errorMessage":"invalid type: string \"many\"`} {
			if !bytes.Contains(m, []byte(want)) {
				t.Fatalf("dead letter %d lacks %s: %s", i, want, m)
			}
		}
	}
	time.Sleep(300 * time.Millisecond) // past a flush
	if n := e.Count("SELECT count() FROM local.`Order` WHERE id IN ('o200', 'x')"); n != 0 {
		t.Fatalf("%d rows of a refused request reached the table", n)
	}
	if code, body := e.Post("/ingest/Nope", order(1)); code != 404 || body != "Please run `moose ls` to view your routes" {
		t.Fatalf("unknown API: %d %s", code, body)
	}
	big := "[" + strings.Repeat(order(1)+",", 120000) + order(1) + "]"
	if code, body := e.Post("/ingest/Order", big); code != 413 || body != "Request body too large. Maximum size is 10485760 bytes" {
		t.Fatalf("too large: %d %.80s", code, body)
	}
	if code, _ := e.Post("/api/stats", ""); code != 501 {
		t.Fatalf("consumption API: %d", code)
	}
}

// A column added while records flow is filled from then on; one dropped
// is ignored; nothing acknowledged is lost, and the recreate's copy and
// exchange see no row written between them.
func TestSyncFollowsSchemaChangesWithoutLosingRows(t *testing.T) {
	e := dptest.Start(t, ordersPy)
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
			code, body := e.Post("/ingest/Order", "["+strings.Join(batch, ",")+"]")
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
	e.Apply(withRegion) // a new column: region is sent from the start, dropped by the API until the model has it
	time.Sleep(100 * time.Millisecond)
	reordered := strings.Replace(withRegion, `Key[str]`, `str`, 1)
	reordered = strings.Replace(reordered, `IngestPipelineConfig(table=True`, `IngestPipelineConfig(table=OlapConfig(order_by_fields=["qty", "id"])`, 1)
	reordered = strings.Replace(reordered, "import IngestPipeline,", "import IngestPipeline, OlapConfig,", 1)
	for i := 0; i < 3; i++ { // ORDER BY changes: the table is recreated with its rows copied, each time
		e.Apply(reordered)
		e.Apply(withRegion)
	}
	wg.Wait()
	e.WaitCount("SELECT count() FROM local.`Order`", sent)
	if sent != total {
		t.Fatalf("sent %d of %d", sent, total)
	}
	if n := e.Count("SELECT count() FROM local.`Order` WHERE region = 'eu'"); n == 0 {
		t.Fatalf("the new column was never filled (reports: %v)", e.Reports())
	}
}

// While paused (the dev loop applying changes) nothing reaches a table;
// on resume everything held does.
func TestPausedSyncInsertsNothingUntilResumed(t *testing.T) {
	e := dptest.Start(t, ordersPy)
	e.Post("/ingest/Order", order(1))
	e.WaitCount("SELECT count() FROM local.`Order`", 1)
	e.Plane.Pause()
	for i := 2; i <= 50; i++ {
		if code, body := e.Post("/ingest/Order", order(i)); code != 200 {
			t.Fatalf("%d %s", code, body)
		}
	}
	time.Sleep(3 * dataplane.SyncFlushInterval)
	if n := e.Count("SELECT count() FROM local.`Order`"); n != 1 {
		t.Fatalf("%d rows while paused, want 1", n)
	}
	e.Plane.Resume(e.State)
	e.WaitCount("SELECT count() FROM local.`Order`", 50)
}

// A record the table cannot take (written to the stream by something other
// than the ingest API) goes to the dead letter queue; the records around
// it land; the partition does not stall.
func TestSyncSetsAsideWhatTheTableRefuses(t *testing.T) {
	e := dptest.Start(t, ordersPy)
	w := e.Topics.Writer()
	defer w.Close()
	bad := `{"id":"bad","qty":"lots","amount":1,"status":"new","at":"2024-01-01T00:00:00Z","tags":[]}`
	if err := w.WriteMessages(context.Background(), kafka.Message{Topic: "Order", Value: []byte(order(1))},
		kafka.Message{Topic: "Order", Value: []byte(bad)}, kafka.Message{Topic: "Order", Value: []byte(order(2))}); err != nil {
		t.Fatal(err)
	}
	e.WaitCount("SELECT count() FROM local.`Order`", 2)
	dl := e.Messages("OrderDeadLetterQueue", 1)[0]
	for _, want := range []string{`"originalRecord":{"id":"bad"`, `"source":"table"`, `"errorType":"ClickHouseInsertError"`} {
		if !bytes.Contains(dl, []byte(want)) {
			t.Fatalf("dead letter lacks %s: %s", want, dl)
		}
	}
	e.Post("/ingest/Order", order(3))
	e.WaitCount("SELECT count() FROM local.`Order`", 3)
}
