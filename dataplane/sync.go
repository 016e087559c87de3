package dataplane

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/moose-dev/moose-dev/broker"
	"github.com/moose-dev/moose-dev/clickhouse"
	"github.com/moose-dev/moose-dev/infra"
	"github.com/segmentio/kafka-go"
)

// Batching of the stream-to-table sync: a batch is inserted when it holds
// SyncBatchRows records, SyncFlushInterval after its first record, or
// when no record came for SyncIdle. (Upstream flushes every second, in
// batches of up to 100,000.)
const (
	SyncBatchRows     = 10000
	SyncFlushInterval = 100 * time.Millisecond
	SyncIdle          = 10 * time.Millisecond
)

// Reporter receives what the data plane has to say: a kind ("Sync",
// "DLQ", ...) and the message. Each distinct problem is reported once.
type Reporter func(kind, msg string)

// Sync copies each stream into its table (the map's topic-to-table sync
// processes): one consumer-group member per process, batches inserted as
// JSONEachRow, offsets committed only after ClickHouse has the batch, so a
// crash or a restart re-reads what was not yet in the table and nothing
// acknowledged is lost (a crash between insert and commit inserts a batch
// twice). A record the table cannot take goes to the stream's dead letter
// queue when it has one, and is reported otherwise; it never stalls its
// partition.
type Sync struct {
	Topics     *broker.Admin
	ClickHouse *clickhouse.Client
	Report     Reporter
	// Producer writes dead-lettered records (shared with the ingest API).
	Producer *kafka.Writer

	gate    sync.RWMutex // held for reading by each insert; Pause takes it for writing
	mu      sync.Mutex
	workers map[string]*syncWorker // by sync process id
	once    reportOnce
}

// syncTarget is what a worker inserts into; it changes with reloads.
type syncTarget struct {
	table   string // database-qualified, quoted
	display string // db.table
	dlq     string // the Kafka name of the dead letter queue, or ""
}

type syncWorker struct {
	id     string
	topic  string // Kafka name
	target chanValue[syncTarget]
	cancel context.CancelFunc
	done   chan struct{}
}

// chanValue is a value one goroutine replaces while another reads it.
type chanValue[T any] struct {
	mu sync.Mutex
	v  T
}

func (c *chanValue[T]) get() T {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.v
}

func (c *chanValue[T]) set(v T) {
	c.mu.Lock()
	c.v = v
	c.mu.Unlock()
}

// SyncGroup is the consumer group of a sync process.
func SyncGroup(processID string) string { return "moose-dev-sync-" + processID }

// Update makes the running processes those of m: new ones start, removed
// ones stop, the others follow their table (a reload may have changed it;
// the next batch goes to the table as it now is).
func (s *Sync) Update(m *infra.Map) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.workers == nil {
		s.workers = map[string]*syncWorker{}
	}
	want := map[string]bool{}
	dlqs := deadLetterQueues(m)
	for id, p := range m.TopicToTableSyncProcesses {
		topic, ok := m.Topics[p.SourceTopicID]
		table, ok2 := m.Tables[p.TargetTableID]
		if !ok || !ok2 {
			continue
		}
		want[id] = true
		db := table.DatabaseOr(m.DefaultDatabase)
		t := syncTarget{table: clickhouse.Quote(db) + "." + clickhouse.Quote(table.Name),
			display: db + "." + table.Name}
		if dlq := dlqs[topic.ID()]; dlq != nil {
			t.dlq = s.Topics.TopicName(dlq)
		}
		w, ok := s.workers[id]
		if ok && w.topic != s.Topics.TopicName(topic) {
			s.stopLocked(w)
			ok = false
		}
		if !ok {
			w = &syncWorker{id: id, topic: s.Topics.TopicName(topic), done: make(chan struct{})}
			w.target.set(t)
			ctx, cancel := context.WithCancel(context.Background())
			w.cancel = cancel
			s.workers[id] = w
			go s.run(ctx, w)
			continue
		}
		w.target.set(t)
	}
	for id, w := range s.workers {
		if !want[id] {
			s.stopLocked(w)
		}
	}
}

func (s *Sync) stopLocked(w *syncWorker) {
	w.cancel()
	<-w.done
	delete(s.workers, w.id)
}

// Close stops every process (what they had fetched but not inserted is
// read again by the next run).
func (s *Sync) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, w := range s.workers {
		s.stopLocked(w)
	}
}

// Pause waits for the inserts under way and holds the next ones until
// Resume: the dev loop pauses around applying changes, so that no row
// lands in a table between a recreate's copy and its exchange.
func (s *Sync) Pause() { s.gate.Lock() }

// Resume lets inserts go on.
func (s *Sync) Resume() { s.gate.Unlock() }

// Running lists the running processes' ids.
func (s *Sync) Running() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for id := range s.workers {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

func (s *Sync) run(ctx context.Context, w *syncWorker) {
	defer close(w.done)
	r := s.Topics.Reader(w.topic, SyncGroup(w.id))
	defer r.Close()
	for ctx.Err() == nil {
		batch, err := fetchBatch(ctx, r)
		if err != nil {
			if ctx.Err() == nil {
				s.once.report(s.Report, "Sync", "sync:"+w.id+":fetch", fmt.Sprintf("%s: reading the stream: %v (retrying)", w.id, err))
				sleep(ctx, time.Second)
			}
			continue
		}
		if !s.deliver(ctx, w, batch) {
			return // stopped before ClickHouse had the batch: not committed, read again next time
		}
		for ctx.Err() == nil {
			err := r.CommitMessages(ctx, batch...)
			if err == nil {
				break
			}
			s.once.report(s.Report, "Sync", "sync:"+w.id+":commit", fmt.Sprintf("%s: committing offsets: %v (retrying)", w.id, err))
			sleep(ctx, 200*time.Millisecond)
		}
	}
}

// fetchBatch waits for one record, then takes what else arrives, up to
// the batch size, until the flush interval has passed since the first or
// the stream has been quiet for SyncIdle (a lone record is not held for
// the whole interval).
func fetchBatch(ctx context.Context, r *kafka.Reader) ([]kafka.Message, error) {
	m, err := r.FetchMessage(ctx)
	if err != nil {
		return nil, err
	}
	batch := []kafka.Message{m}
	flush := time.Now().Add(SyncFlushInterval)
	for len(batch) < SyncBatchRows {
		deadline := time.Now().Add(SyncIdle)
		if deadline.After(flush) {
			deadline = flush
		}
		fctx, cancel := context.WithDeadline(ctx, deadline)
		m, err := r.FetchMessage(fctx)
		cancel()
		if err != nil {
			break
		}
		batch = append(batch, m)
	}
	return batch, nil
}

// deliver inserts a batch, retrying while ClickHouse cannot be reached or
// the table is missing, and splitting it to set aside the records the
// table refuses. It reports false when ctx ended first.
func (s *Sync) deliver(ctx context.Context, w *syncWorker, batch []kafka.Message) bool {
	for {
		t := w.target.get()
		err := s.insert(ctx, t, batch)
		if err == nil {
			return true
		}
		if ctx.Err() != nil {
			return false
		}
		if !isDataError(err) {
			s.once.report(s.Report, "Sync", "sync:"+w.id+":insert:"+errorCode(err), fmt.Sprintf("%s -> %s: %v (retrying)", w.id, t.display, firstLine(err)))
			sleep(ctx, time.Second)
			continue
		}
		refused, err := s.split(ctx, t, batch)
		if err != nil {
			if ctx.Err() != nil {
				return false
			}
			continue // ClickHouse went away while splitting: start again
		}
		if s.setAside(ctx, w, t, refused) {
			return true
		}
		return false
	}
}

type refusedRecord struct {
	msg kafka.Message
	err error
}

// split inserts the batch in halves until each refused record stands
// alone; what ClickHouse took stays inserted.
func (s *Sync) split(ctx context.Context, t syncTarget, batch []kafka.Message) ([]refusedRecord, error) {
	if len(batch) == 1 {
		err := s.insert(ctx, t, batch)
		switch {
		case err == nil:
			return nil, nil
		case isDataError(err):
			return []refusedRecord{{batch[0], err}}, nil
		default:
			return nil, err
		}
	}
	var out []refusedRecord
	for _, half := range [][]kafka.Message{batch[:len(batch)/2], batch[len(batch)/2:]} {
		err := s.insert(ctx, t, half)
		if err == nil {
			continue
		}
		if !isDataError(err) {
			return nil, err
		}
		r, err := s.split(ctx, t, half)
		if err != nil {
			return nil, err
		}
		out = append(out, r...)
	}
	return out, nil
}

// setAside sends refused records to the dead letter queue, or reports them.
func (s *Sync) setAside(ctx context.Context, w *syncWorker, t syncTarget, refused []refusedRecord) bool {
	for _, r := range refused {
		reason := firstLine(r.err)
		if t.dlq == "" || s.Producer == nil {
			s.once.report(s.Report, "Sync", "sync:"+w.id+":refused:"+errorCode(r.err),
				fmt.Sprintf("%s -> %s: a record the table cannot take was skipped (the stream has no dead letter queue): %s", w.id, t.display, reason))
			continue
		}
		rec := DeadLetter(r.msg.Value, reason, "ClickHouseInsertError", "table", time.Now(), deadLetterExtra{"topic", w.topic})
		for {
			err := s.Producer.WriteMessages(ctx, kafka.Message{Topic: t.dlq, Value: rec})
			if err == nil {
				break
			}
			if ctx.Err() != nil {
				return false
			}
			s.once.report(s.Report, "DLQ", "dlq:"+t.dlq, fmt.Sprintf("writing to the dead letter queue %s: %v (retrying)", t.dlq, err))
			sleep(ctx, time.Second)
		}
		s.once.report(s.Report, "DLQ", "sync:"+w.id+":dlq:"+errorCode(r.err),
			fmt.Sprintf("%s -> %s: a record the table cannot take went to the dead letter queue: %s", w.id, t.display, reason))
	}
	return true
}

// insert writes records as JSONEachRow: fields the table lacks are
// ignored (a dropped column), columns the record lacks take their default
// (a new one), and date-times are read as upstream writes them.
func (s *Sync) insert(ctx context.Context, t syncTarget, batch []kafka.Message) error {
	for !s.gate.TryRLock() { // paused: wait, unless stopped meanwhile
		if ctx.Err() != nil {
			return ctx.Err()
		}
		time.Sleep(2 * time.Millisecond)
	}
	defer s.gate.RUnlock()
	var b strings.Builder
	b.WriteString("INSERT INTO ")
	b.WriteString(t.table)
	b.WriteString(" SETTINGS input_format_skip_unknown_fields = 1, date_time_input_format = 'best_effort', input_format_parallel_parsing = 0 FORMAT JSONEachRow\n")
	for _, m := range batch {
		b.Write(m.Value)
		b.WriteByte('\n')
	}
	return s.ClickHouse.Exec(ctx, b.String())
}

var codeRE = regexp.MustCompile(`code: (\d+)`)

func errorCode(err error) string {
	if m := codeRE.FindStringSubmatch(err.Error()); m != nil {
		return m[1]
	}
	return "?"
}

// Errors that are about the table's existence or reachability, not about a
// record: waited out, never dead-lettered.
var notDataCodes = map[int]bool{
	60:  true, // UNKNOWN_TABLE
	81:  true, // UNKNOWN_DATABASE
	159: true, // TIMEOUT_EXCEEDED
	202: true, // TOO_MANY_SIMULTANEOUS_QUERIES
	209: true, // SOCKET_TIMEOUT
	210: true, // NETWORK_ERROR
	241: true, // MEMORY_LIMIT_EXCEEDED
	252: true, // TOO_MANY_PARTS
	516: true, // AUTHENTICATION_FAILED
	497: true, // ACCESS_DENIED
}

// isDataError reports a ClickHouse exception about the rows themselves.
func isDataError(err error) bool {
	code := errorCode(err)
	if code == "?" {
		return false // no ClickHouse exception: a connection problem
	}
	n, _ := strconv.Atoi(code)
	return !notDataCodes[n]
}

func firstLine(err error) string {
	s := strings.TrimPrefix(err.Error(), "[HTTP 500] ")
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return strings.TrimSpace(s)
}

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

// reportOnce reports each key once.
type reportOnce struct {
	mu   sync.Mutex
	seen map[string]bool
}

func (o *reportOnce) report(r Reporter, kind, key, msg string) {
	if r == nil {
		return
	}
	o.mu.Lock()
	if o.seen == nil {
		o.seen = map[string]bool{}
	}
	seen := o.seen[key]
	o.seen[key] = true
	o.mu.Unlock()
	if !seen {
		r(kind, msg)
	}
}

// Plane is the data plane the dev loop drives: the server's routes and the
// sync processes follow each applied state.
type Plane struct {
	Server *Server
	Sync   *Sync
	Topics *broker.Admin
	paused bool
}

// Pause holds the sync's inserts while changes are applied.
func (p *Plane) Pause() {
	if p.Sync != nil && !p.paused {
		p.Sync.Pause()
		p.paused = true
	}
}

// Resume serves state's APIs and runs its sync processes.
func (p *Plane) Resume(state *infra.Map) {
	if p.Server != nil {
		p.Server.SetMap(state, p.Topics)
	}
	if p.Sync != nil {
		p.Sync.Update(state)
		if p.paused {
			p.Sync.Resume()
			p.paused = false
		}
	}
}
