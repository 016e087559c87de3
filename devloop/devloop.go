// Package devloop is the heart of `moose-dev dev`: one reload cycle reads
// the project, reconciles the stored state with what ClickHouse and the
// broker really hold, diffs, prints the changes, applies them and persists
// the new state. A failure at any step changes nothing it has not already
// applied, keeps the last good state, and says what and where.
package devloop

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/moose-dev/moose-dev/broker"
	"github.com/moose-dev/moose-dev/clickhouse"
	"github.com/moose-dev/moose-dev/differ"
	"github.com/moose-dev/moose-dev/display"
	"github.com/moose-dev/moose-dev/infra"
	"github.com/moose-dev/moose-dev/parser"
	"github.com/moose-dev/moose-dev/project"
)

// StateFile is where the last applied map is stored, under .moose/.
const StateFile = "state.json"

// Messages printed around a reload, as upstream prints them.
const (
	ProcessingMessage = "Processing Infrastructure changes from file watcher"
	DoneMessage       = "Infrastructure changes processed successfully"
)

// The questions a reload may need answered.
const (
	DestructiveQuestion = "These changes lose data:"
	RenameQuestion      = "These look like renames (RENAME COLUMN keeps the data):"
)

// Options wire a Loop to its project and services.
type Options struct {
	Project    *project.Project
	ClickHouse *clickhouse.Client
	// Topics applies topic changes; nil when streaming is off.
	Topics  *broker.Admin
	Printer *display.Printer
	// DropOnRecreate recreates tables as upstream does (drop, then create,
	// losing their rows) instead of copying the rows into the new table.
	DropOnRecreate bool
	// ConfirmDestructive is asked before each change that loses data the
	// code no longer mentions (a dropped table, dropped columns), with its
	// description; nil holds them back.
	ConfirmDestructive func(descriptions []string) bool
	// ConfirmRenames is asked before a proposed column rename; declined (or
	// nil), the rename is an added column and a held-back drop instead.
	ConfirmRenames func(descriptions []string) bool
	// Waiting, when set, is asked first, with the question to put
	// (DestructiveQuestion or RenameQuestion): true means a question about
	// these changes is open (asked, not answered yet). The changes then
	// wait, the rest of the reload applies, and the daemon reloads once it
	// has the answer; a prompt never blocks the loop.
	Waiting func(question string, descriptions []string) bool
	// Timing prints how long each phase of a reload took.
	Timing bool
	// Progress, when set, is called while changes are applied, after each
	// ClickHouse operation, with how many are done (1..n) of n.
	Progress func(done, total int)
	// Data is the data plane (ingest API, stream-to-table sync), paused
	// while changes are applied and resumed with the state the loop then
	// holds; nil when none runs.
	Data DataPlane
}

// DataPlane is told around each apply: Pause before changes run, so that
// no row is written between a recreate's copy and its exchange (it would
// be lost with the old table), and Resume with the applied state (the old
// one when the apply failed), whose APIs and sync processes it then
// serves.
type DataPlane interface {
	Pause()
	Resume(state *infra.Map)
}

// Loop runs reload cycles. It is not safe for concurrent use: the daemon
// runs one reload at a time.
type Loop struct {
	o      Options
	loader *parser.Loader
	state  *infra.Map
	db     string
	// shownBlocked are the reasons of blocked changes already shown: a
	// blocked change is shown once, not on every reload.
	shownBlocked map[string]bool
	// shownHeld likewise for destructive changes waiting for confirmation,
	// and shownRenames for renames waiting for an answer.
	shownHeld, shownRenames map[string]bool
	// pending is what PendingFile holds, as last written
	pending []byte
	// held and blocked are what the last planned reload did not apply:
	// destructive changes waiting for a confirmation, and changes the
	// lifecycle policy refuses.
	held    []differ.Change
	blocked []differ.Blocked
}

// Timing is how long a reload's phases took.
type Timing struct {
	Parse, Plan, Apply, Total time.Duration
	// Changes is how many changes the reload applied.
	Changes int
}

// New creates a loop and loads the stored state, if any (a corrupt one is
// moved aside and rebuilt: see readState).
func New(o Options) (*Loop, error) {
	db := o.Project.Config.ClickHouse.DBName
	l := &Loop{o: o, loader: parser.NewLoader(o.Project.Root, o.Project.Config.SourceDir, o.Project.Config.Language).CheckClusters(o.Project.Config.ClickHouse.ClusterNames()), state: infra.NewMap(db), db: db}
	m, err := readState(l.statePath(), o.Printer)
	if err != nil {
		return nil, err
	}
	if m != nil {
		l.state = m
	}
	return l, nil
}

func (l *Loop) statePath() string { return filepath.Join(l.o.Project.StateDir(), StateFile) }

// State is the last applied map.
func (l *Loop) State() *infra.Map { return l.state }

// Outstanding is what the last reload that got as far as planning left
// unapplied: destructive changes held for a confirmation, and changes the
// lifecycle policy blocks. The database differs from the code by exactly
// these (and nothing else) after a successful reload.
func (l *Loop) Outstanding() (held []differ.Change, blocked []differ.Blocked) {
	return l.held, l.blocked
}

// Reload runs one cycle. fromWatcher adds upstream's processing and done
// messages around it.
func (l *Loop) Reload(ctx context.Context, fromWatcher bool) (Timing, error) {
	var tm Timing
	start := time.Now()
	p := l.o.Printer
	var spin *display.Spinner
	if fromWatcher && !l.o.Timing { // --timing prints lines instead, as upstream
		spin = p.StartSpinner(ProcessingMessage)
		defer func() {
			if spin != nil {
				spin.Stop("")
			}
		}()
	} else if fromWatcher {
		p.Raw(ProcessingMessage + "\n")
	}
	reading := l.startReading(ctx)
	res, err := l.loader.Load(l.db)
	tm.Parse = time.Since(start)
	if err != nil {
		p.Print(display.Line{Kind: display.Error, Action: "Failed", Message: "Planning changes to the infrastructure failed:\n" + err.Error(),
			Details: sourceExcerpt(l.o.Project.Root, err)})
		return tm, err
	}
	if msg := l.loader.UnloadedWarning(res.Unloaded); msg != "" {
		p.Print(display.Line{Kind: display.Warning, Action: "Unloaded Files", Message: msg})
	}
	for _, w := range res.Warnings {
		p.Print(display.Line{Kind: display.Warning, Action: "Upstream", Message: w})
	}
	desired := res.Map
	if cycle := differ.FindViewCycle(desired); cycle != nil {
		err := fmt.Errorf("views read each other in a cycle: %s", strings.Join(cycle, " -> "))
		p.Print(display.Line{Kind: display.Error, Action: "Failed", Message: "Planning changes to the infrastructure failed:\n" + err.Error()})
		return tm, err
	}
	if l.o.Topics == nil && len(desired.Topics) > 0 {
		p.Warnf("Streaming", "streams are defined but [features] streaming_engine is off: topics are not managed")
		desired.Topics = map[string]*infra.Topic{}
	}
	planStart := time.Now()
	current, err := l.reconcile(ctx, desired, reading)
	if err != nil {
		p.Print(display.Line{Kind: display.Error, Action: "Failed", Message: "Reading the current infrastructure failed:\n" + err.Error()})
		return tm, err
	}
	diff := differ.Diff(current, desired)
	for _, c := range diff {
		if inv, ok := c.(differ.InvalidChange); ok {
			err := errors.New(inv.Reason)
			p.Print(display.Line{Kind: display.Error, Action: "Failed", Message: "Processing Infrastructure changes failed:\n" + inv.Reason})
			return tm, err
		}
	}
	changes, blocked := differ.FilterLifecycle(diff, l.db)
	if !l.o.DropOnRecreate {
		for i, c := range changes {
			if rc, ok := c.(differ.RecreateTable); ok {
				rc.Reason += "; its rows are copied into the new table"
				changes[i] = rc
			}
		}
	}
	stopSpinner := func() { // a prompt needs the line
		if spin != nil {
			spin.Stop("")
			spin = nil
		}
		p.StopSpinner() // the caller's, if one runs
	}
	changes = differ.ProposeRenames(changes)
	renames := differ.Renames(changes)
	var aside []differ.Change // waiting for an answer: not applied, not stored
	if len(renames) > 0 {
		if l.o.ConfirmRenames != nil || l.o.Waiting != nil {
			stopSpinner()
		}
		switch {
		case l.o.Waiting != nil && l.o.Waiting(RenameQuestion, renames):
			changes, aside = differ.SetAsideRenames(changes)
			l.printOnce(&l.shownRenames, display.Info, "Rename?", "waiting for your answer; until then this table is left as it is: ", renames,
				"answer the question above (y keeps the data, N creates the new column and holds the old one's drop)")
		case l.o.ConfirmRenames != nil && l.o.ConfirmRenames(renames):
		default:
			changes = differ.UndoRenames(changes)
			how := "restart with --yes-rename, or run moose-dev dev in a terminal to be asked"
			if l.o.Waiting != nil { // asked in this terminal, and answered no
				how = "you answered no, which stands until moose-dev dev restarts (then you are asked again; or restart with --yes-rename)"
			}
			for _, r := range renames {
				p.Print(display.Line{Kind: display.Info, Action: "Rename?", Message: "looks like a rename; unless confirmed the new one is created and the old one's drop waits: " + r,
					Details: []string{how}})
			}
		}
	}
	safe, destructive := differ.SplitDestructive(changes, !l.o.DropOnRecreate)
	tm.Plan = time.Since(planStart)
	p.Print(display.ChangeLines(safe)...)
	p.Print(display.BlockedLines(l.newlyBlocked(blocked))...)
	held := aside
	if len(destructive) > 0 {
		descs := make([]string, len(destructive))
		for i, c := range destructive {
			descs[i] = differ.Describe(c)
		}
		if l.o.ConfirmDestructive != nil || l.o.Waiting != nil {
			stopSpinner()
		}
		waiting := l.o.Waiting != nil && l.o.Waiting(DestructiveQuestion, descs)
		var waits []string
		for i, c := range destructive { // each change on its own answer
			if l.o.ConfirmDestructive != nil && l.o.ConfirmDestructive(descs[i:i+1]) {
				p.Print(display.ChangeLines([]differ.Change{c})...)
				safe = append(safe, c)
				continue
			}
			applies, rest := differ.Hold(c)
			if applies != nil {
				p.Print(display.ChangeLines([]differ.Change{applies})...)
				safe = append(safe, applies)
			}
			held = append(held, rest)
			waits = append(waits, descs[i])
		}
		how := "restart with --yes-destructive, or run moose-dev dev in a terminal to be asked"
		switch {
		case waiting:
			how = "answer the question above"
		case l.o.Waiting != nil: // asked in this terminal, and answered no
			how = "you answered no, which stands until moose-dev dev restarts (then you are asked again; or restart with --yes-destructive)"
		}
		l.printOnce(&l.shownHeld, display.Warning, "Held", "not applied without confirmation: ", waits, how)
	}
	l.held, l.blocked = held, blocked
	if b, err := json.Marshal(pendingOf(held, blocked)); err == nil && !bytes.Equal(b, l.pending) {
		// for ls; best effort, and only when it changed (a write is fsynced)
		if WriteFileAtomic(filepath.Join(filepath.Dir(l.statePath()), PendingFile), b) == nil {
			l.pending = b
		}
	}
	ops := differ.PlanWith(safe, differ.PlanOptions{KeepData: !l.o.DropOnRecreate, Backfill: backfillable(desired),
		ConversionLoss: clickhouse.ConversionLoss, NoCluster: l.o.ClickHouse.Keeperless})
	applyStart := time.Now()
	if err := differ.CheckLifecycle(ops, current, desired); err != nil {
		p.Print(display.Line{Kind: display.Error, Action: "Failed", Message: "Executing changes to the infrastructure failed:\n" + err.Error()})
		return tm, err
	}
	resumed := false
	if l.o.Data != nil {
		l.o.Data.Pause()
		defer func() {
			if !resumed {
				l.o.Data.Resume(l.state)
			}
		}()
	}
	// ClickHouse first, then the broker, as upstream: a save ClickHouse
	// refuses leaves the broker as it was (made in one request, 2,000 new
	// topics take the embedded broker 12 ms: nothing to gain beside it)
	err = l.o.ClickHouse.ApplyProgress(ctx, ops, infra.ViewClusters(l.db, current, desired), l.o.Progress)
	if topics := differ.TopicChanges(safe); err == nil && l.o.Topics != nil && len(topics) > 0 {
		err = l.o.Topics.Apply(ctx, topics)
	}
	if err != nil {
		p.Print(display.Line{Kind: display.Error, Action: "Failed", Message: "Executing changes to the infrastructure failed:\n" + err.Error()})
		return tm, err
	}
	tm.Apply = time.Since(applyStart)
	tm.Changes = len(safe)
	notApplied := slices.Clone(held)
	for _, b := range blocked {
		notApplied = append(notApplied, b.Change)
	}
	desired = differ.Applied(desired, notApplied)
	if err := l.saveState(desired); err != nil {
		p.Print(display.Line{Kind: display.Error, Action: "Failed", Message: "Persisting state failed:\n" + err.Error()})
		return tm, err
	}
	l.state = desired
	if !fromWatcher && len(ops) > 0 {
		l.warmAfterLaunch(ctx, desired)
	}
	if l.o.Data != nil {
		resumed = true
		l.o.Data.Resume(desired)
	}
	tm.Total = time.Since(start)
	if l.o.Timing {
		for _, ph := range []struct {
			name string
			d    time.Duration
		}{{"Parsing", tm.Parse}, {"Planning", tm.Plan}, {"Execution", tm.Apply}, {"Total", tm.Total}} {
			p.Infof("Timing", "%s finished in %s", ph.name, ph.d.Round(10*time.Microsecond))
		}
	}
	if fromWatcher {
		if spin != nil {
			spin.Stop(DoneMessage)
			spin = nil
		} else {
			p.Done(DoneMessage)
		}
		l.runReloadScript()
	}
	return tm, nil
}

// runReloadScript runs `[http_server_config] on_reload_complete_script`
// (or its older names) after a successful reload, in the background, from
// the project directory; its output is shown, its failure is a warning.
func (l *Loop) runReloadScript() {
	h := l.o.Project.Config.HTTPServer
	script := h.OnReloadCompleteScript
	if script == "" {
		script = h.OnChangeScript
	}
	if script == "" {
		return
	}
	p := l.o.Printer
	go func() {
		cmd := exec.Command("sh", "-c", script)
		cmd.Dir = l.o.Project.Root
		out, err := cmd.CombinedOutput()
		if text := strings.TrimRight(string(out), "\n"); text != "" {
			p.Infof("Script", "%s", text)
		}
		if err != nil {
			p.Warnf("Script", "on_reload_complete_script failed: %v", err)
		}
	}()
}

// reading is what ClickHouse and the broker hold, read while the code is
// parsed (they do not depend on it: a save's reads and its parse took
// about as long, one after the other).
type reading struct {
	dbs    []string // the databases read: the stored state's
	live   chan result[map[string]*infra.Table]
	topics chan result[map[string]broker.TopicInfo] // nil without a broker
}

type result[T any] struct {
	v   T
	err error
}

// startReading reads the databases the stored state knows and the
// broker's topics, in the background. A database only the new code names
// is read by reconcile; a reading whose parse fails is left to finish.
func (l *Loop) startReading(ctx context.Context) *reading {
	r := &reading{dbs: infra.Databases(l.db, l.state), live: make(chan result[map[string]*infra.Table], 1)}
	go func() {
		m, err := l.o.ClickHouse.Reality(ctx, r.dbs...)
		r.live <- result[map[string]*infra.Table]{m, err}
	}()
	if l.o.Topics != nil {
		r.topics = make(chan result[map[string]broker.TopicInfo], 1)
		go func() {
			m, err := l.o.Topics.Topics(ctx)
			r.topics <- result[map[string]broker.TopicInfo]{m, err}
		}()
	}
	return r
}

// reconcile corrects the stored state by what ClickHouse and the broker
// really hold (r, and the databases desired names beyond r's).
func (l *Loop) reconcile(ctx context.Context, desired *infra.Map, r *reading) (*infra.Map, error) {
	got := <-r.live
	if got.err != nil {
		return nil, got.err
	}
	live := got.v
	if more := slices.DeleteFunc(infra.Databases(l.db, desired), func(db string) bool { return slices.Contains(r.dbs, db) }); len(more) > 0 {
		extra, err := l.o.ClickHouse.Reality(ctx, more...)
		if err != nil {
			return nil, err
		}
		maps.Copy(live, extra)
	}
	current := differ.Reconcile(l.state, desired, live)
	if l.o.Topics == nil || len(current.Topics) == 0 && len(desired.Topics) == 0 {
		current.Topics = map[string]*infra.Topic{}
		return current, nil
	}
	topics := <-r.topics
	if topics.err != nil {
		return nil, topics.err
	}
	liveTopics := topics.v
	for id, t := range current.Topics {
		info, ok := liveTopics[l.o.Topics.TopicName(t)]
		if !ok {
			delete(current.Topics, id)
			continue
		}
		liveRetention(t, info) // a retention changed by hand is put back
	}
	for id, t := range desired.Topics {
		info, ok := liveTopics[l.o.Topics.TopicName(t)]
		if _, known := current.Topics[id]; ok && !known {
			adopted := *t
			adopted.PartitionCount = info.Partitions
			liveRetention(&adopted, info)
			current.Topics[id] = &adopted
		}
	}
	return current, nil
}

// warmAfterLaunch reads the tables back in the background, at once and
// again once the second the last were made in has passed: the client then
// knows them (a read made in the second of a change is not trusted, see
// clickhouse's tableCache), and the first save does not read thousands of
// CREATE queries, even one made within that second (at once: all but the
// tables of the last second are known).
func (l *Loop) warmAfterLaunch(ctx context.Context, m *infra.Map) {
	dbs := infra.Databases(l.db, m)
	go func() {
		l.o.ClickHouse.Reality(ctx, dbs...) // best effort: a save reads what this did not
		select {
		case <-ctx.Done():
		case <-time.After(1100 * time.Millisecond):
			l.o.ClickHouse.Reality(ctx, dbs...)
		}
	}()
}

// liveRetention sets t's retention to what the broker reports, if it did.
func liveRetention(t *infra.Topic, info broker.TopicInfo) {
	if info.RetentionMs >= 0 {
		ms := uint64(info.RetentionMs)
		t.RetentionPeriod = infra.Duration{Secs: ms / 1000, Nanos: uint32(ms%1000) * 1e6}
	}
}

// saveState writes the map atomically: a reader never sees half a file.
// The state is moose-dev's own file, read back as JSON: it is written in one
// encoding pass (deterministic: struct fields in order, map keys sorted),
// not with infra.MarshalSorted's recursively sorted, indented layout that
// upstream-facing files get, which took four times as long (80 ms per
// reload at 500 tables).
func (l *Loop) saveState(m *infra.Map) error {
	return WriteFileAtomicFunc(l.statePath(), func(w io.Writer) error {
		bw := bufio.NewWriterSize(w, 256<<10)
		if err := infra.EncodeState(bw, m); err != nil {
			return err
		}
		return bw.Flush()
	})
}

// WriteFileAtomic writes data to a temporary file beside path, flushes it
// to disk and renames it into place, then flushes the directory: after a
// crash or power loss path holds the old content or the new, never a
// truncated file.
func WriteFileAtomic(path string, data []byte) error {
	return WriteFileAtomicFunc(path, func(w io.Writer) error { _, err := w.Write(data); return err })
}

// WriteFileAtomicFunc is WriteFileAtomic for content written by write.
func WriteFileAtomicFunc(path string, write func(io.Writer) error) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	err = write(tmp)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return syncDir(filepath.Dir(path))
}

// newlyBlocked keeps the blocked changes not shown by the previous reload.
func (l *Loop) newlyBlocked(blocked []differ.Blocked) []differ.Blocked {
	now := map[string]bool{}
	var out []differ.Blocked
	for _, b := range blocked {
		key := blockedKey(b)
		now[key] = true
		if !l.shownBlocked[key] {
			out = append(out, b)
		}
	}
	l.shownBlocked = now
	return out
}

// blockedKey tells blocked changes apart: the reason, and for a table
// update the columns it changes (a reason may only count them, so another
// change with as many columns is another change).
func blockedKey(b differ.Blocked) string {
	key := b.Reason
	if u, ok := b.Change.(differ.UpdateTable); ok {
		for _, cc := range u.Columns {
			key += fmt.Sprintf("|%d %s>%s %v %v", cc.Kind, cc.Before.Name, cc.After.Name, cc.After.DataType, cc.After.Required)
		}
	}
	return key
}

// printOnce shows changes waiting for a confirmation, each once: a change
// already shown by the previous reload is not repeated.
func (l *Loop) printOnce(shown *map[string]bool, kind display.Kind, action, prefix string, descs []string, how string) {
	now := map[string]bool{}
	for _, d := range descs {
		now[d] = true
		if !(*shown)[d] {
			l.o.Printer.Print(display.Line{Kind: kind, Action: action, Message: prefix + d, Details: []string{how}})
		}
	}
	*shown = now
}

// backfillable says whether a materialized view can be populated from its
// sources: not when one is a Kafka or S3Queue table, whose rows are a
// stream rather than a store (upstream's rule).
func backfillable(m *infra.Map) func(*infra.MaterializedView) bool {
	return func(v *infra.MaterializedView) bool {
		for _, ref := range v.SourceTables {
			name := infra.SourceName(ref)
			for _, t := range m.Tables {
				if t.Name == name && (t.Engine.Name == "Kafka" || t.Engine.Name == "S3Queue") {
					return false
				}
			}
		}
		return true
	}
}

// sourceExcerpt shows the line a positioned error points at, with a caret
// under the column.
func sourceExcerpt(root string, err error) []string {
	var perr *parser.Error
	if !errors.As(err, &perr) || perr.Pos.Line < 1 {
		return nil
	}
	data, rerr := os.ReadFile(filepath.Join(root, filepath.FromSlash(perr.File)))
	if rerr != nil {
		return nil
	}
	lines := strings.Split(string(data), "\n")
	if perr.Pos.Line > len(lines) {
		return nil
	}
	text := strings.TrimRight(strings.ReplaceAll(lines[perr.Pos.Line-1], "\t", "    "), "\r")
	gutter := fmt.Sprintf("%d | ", perr.Pos.Line)
	caret := strings.Repeat(" ", len(gutter)+max(perr.Pos.Col-1, 0)) + "^"
	return []string{"", gutter + text, caret}
}
