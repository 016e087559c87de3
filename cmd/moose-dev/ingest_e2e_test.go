package main

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/moose-dev/moose-dev/internal/chtest"
)

const ingestMain = `from moose_lib import IngestPipeline, IngestPipelineConfig
from app.models import PageView

pipeline = IngestPipeline[PageView]("PageView", IngestPipelineConfig(table=True, stream=True, ingest_api=True, dead_letter_queue=True))
`

// Records POSTed while the daemon is killed with SIGKILL and restarted:
// every one acknowledged (200) reaches the table after the restart.
func TestEveryAcknowledgedRecordSurvivesAKillNine(t *testing.T) {
	chtest.RequireEngine(t)
	p := newDevProject(t)
	p.write("main.py", ingestMain)
	p.start()
	url := fmt.Sprintf("http://127.0.0.1:%d/ingest/PageView", p.httpPort)
	var acked sync.Map
	var nAcked atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := 0; w < 2; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			client := &http.Client{Timeout: 5 * time.Second}
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				var recs []string
				var ids []string
				for k := 0; k < 20; k++ {
					id := fmt.Sprintf("w%d-%d-%d", w, i, k)
					ids = append(ids, id)
					recs = append(recs, fmt.Sprintf(`{"id":%q,"url":"/","duration_ms":%d}`, id, k))
				}
				resp, err := client.Post(url, "application/json", strings.NewReader("["+strings.Join(recs, ",")+"]"))
				if err != nil {
					time.Sleep(20 * time.Millisecond) // the daemon is down: try again
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode == 200 {
					for _, id := range ids {
						acked.Store(id, true)
					}
					nAcked.Add(int64(len(ids)))
				}
			}
		}(w)
	}
	for round := 0; round < 3; round++ { // records in flight at each kill
		for n := nAcked.Load(); nAcked.Load() < n+500; {
			time.Sleep(10 * time.Millisecond)
		}
		p.kill9()
		time.Sleep(100 * time.Millisecond)
		p.restart()
	}
	for n := nAcked.Load(); nAcked.Load() < n+500; {
		time.Sleep(10 * time.Millisecond)
	}
	close(stop)
	wg.Wait()
	// A request cut off by the kill may have been written without its
	// answer arriving: the table may hold more than was acknowledged, never less.
	var missing []string
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		inTable := map[string]bool{}
		for _, id := range strings.Split(p.query("SELECT DISTINCT id FROM local.PageView FORMAT TSV"), "\n") {
			inTable[id] = true
		}
		missing = missing[:0]
		acked.Range(func(k, _ any) bool {
			if !inTable[k.(string)] {
				missing = append(missing, k.(string))
			}
			return true
		})
		if len(missing) == 0 || time.Now().After(deadline) {
			break
		}
	}
	if len(missing) > 0 {
		t.Fatalf("%d of %d acknowledged records are not in the table, e.g. %v\n%s", len(missing), nAcked.Load(), missing[:min(5, len(missing))], p.out.String())
	}
}
