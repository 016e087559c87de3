// Package migrate is the production workflow: compare the code with a
// target ClickHouse, write a reviewable plan (`migrations/plan.yaml`,
// `remote_state.json`, `local_infra_map.json`, upstream's files), and apply
// it later only if the database has not drifted since, under a lock, with
// progress recorded so that a failed run resumes where it stopped.
package migrate

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/moose-dev/moose-dev/clickhouse"
	"github.com/moose-dev/moose-dev/differ"
	"github.com/moose-dev/moose-dev/infra"
	"github.com/moose-dev/moose-dev/planfile"
)

// The files of a generated migration, under the project's `migrations/`.
const (
	Dir         = "migrations"
	PlanFile    = "plan.yaml"
	RemoteFile  = "remote_state.json"
	LocalFile   = "local_infra_map.json"
	genRecipe   = "moose-dev generate migration --clickhouse-url <url> --save"
	driftHeader = "❌ Migration validation failed - database state has changed since plan was generated"
)

// Remote reads the target as it is: the state stored in it, reconciled with
// the tables it really holds (only those the code or the state name).
func Remote(ctx context.Context, c *clickhouse.Client, st *Store, code *infra.Map) (*infra.Map, error) {
	stored, err := st.LoadMap(ctx)
	if err != nil {
		return nil, err
	}
	stored.DefaultDatabase = c.Database()
	live, err := c.Reality(ctx, infra.Databases(c.Database(), stored, code)...)
	if err != nil {
		return nil, err
	}
	return differ.Reconcile(stored, code, live), nil
}

// Changes is what moving the remote to the code takes: the changes the
// lifecycles allow, those they block, and the operations in upstream's
// order. Production plans never backfill materialized views, and a table
// that must be recreated keeps its rows (copied through a new table).
type Changes struct {
	Changes []differ.Change
	Blocked []differ.Blocked
	Ops     []infra.Operation
	// Renames are the dropped-and-added column pairs that look like
	// renames; they are planned as renames only when asked.
	Renames []string
}

// ComputeOptions are the knobs of Compute.
type ComputeOptions struct {
	Ignore Ignore // differences not to plan
	// Renames plans the column pairs that look like renames as
	// RenameTableColumn (keeping the data) instead of a drop and an add,
	// upstream's only choice.
	Renames bool
}

// Compute diffs remote against code. A change no migration can express
// (a table moving database) is an error.
func Compute(remote, code *infra.Map, o ComputeOptions) (*Changes, error) {
	code = o.Ignore.Apply(remote, code)
	if cycle := differ.FindViewCycle(code); cycle != nil {
		return nil, fmt.Errorf("views read each other in a cycle: %s", strings.Join(cycle, " -> "))
	}
	diff := differ.Diff(remote, code)
	for _, c := range diff {
		if inv, ok := c.(differ.InvalidChange); ok {
			return nil, errors.New(inv.Reason)
		}
	}
	allowed, blocked := differ.FilterLifecycle(diff, remote.DefaultDatabase)
	var olap []differ.Change
	for _, c := range allowed {
		if !differ.IsTopicChange(c) {
			olap = append(olap, c)
		}
	}
	proposed := differ.ProposeRenames(olap)
	renames := differ.Renames(proposed)
	if o.Renames {
		olap = proposed
	}
	ops := differ.PlanWith(olap, differ.PlanOptions{KeepData: true, ConversionLoss: clickhouse.ConversionLoss})
	if err := differ.CheckLifecycle(ops, remote, code); err != nil {
		return nil, err
	}
	return &Changes{Changes: olap, Blocked: blocked, Ops: ops, Renames: renames}, nil
}

// Files is a generated migration.
type Files struct {
	Plan   *planfile.Plan
	Remote *infra.Map // the target as found when the plan was made
	Local  *infra.Map // the code's map the plan leads to
	raw    []byte     // plan.yaml as read, for the plan's identity
}

// Hash identifies the plan: a re-run of the same plan resumes, any edit
// makes it another plan.
func (f *Files) Hash() string {
	raw := f.raw
	if raw == nil {
		raw, _ = f.Plan.MarshalYAML()
	}
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:])
}

// Save writes the three files under dir.
func (f *Files) Save(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	plan, err := f.Plan.MarshalYAML()
	if err != nil {
		return err
	}
	remote, err := infra.MarshalSorted(f.Remote)
	if err != nil {
		return err
	}
	local, err := infra.MarshalSorted(f.Local)
	if err != nil {
		return err
	}
	for name, data := range map[string][]byte{PlanFile: plan, RemoteFile: remote, LocalFile: local} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return err
		}
	}
	f.raw = plan
	return nil
}

// Load reads the three files from dir; a missing one is an error that
// says how to make them.
func Load(dir string) (*Files, error) {
	read := func(name string) ([]byte, error) {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%s is missing: a migration needs %s, %s and %s in %s; make them with `%s`",
				filepath.Join(dir, name), PlanFile, RemoteFile, LocalFile, dir, genRecipe)
		}
		return b, err
	}
	f := &Files{}
	var err error
	if f.raw, err = read(PlanFile); err != nil {
		return nil, err
	}
	if f.Plan, err = planfile.Unmarshal(f.raw); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, PlanFile), err)
	}
	for name, dst := range map[string]**infra.Map{RemoteFile: &f.Remote, LocalFile: &f.Local} {
		b, err := read(name)
		if err != nil {
			return nil, err
		}
		if *dst, err = infra.UnmarshalMap(b); err != nil {
			return nil, fmt.Errorf("%s: %w", filepath.Join(dir, name), err)
		}
	}
	return f, nil
}

// Drift is what differs between the database and what the plan expects.
type Drift struct {
	Extra, Missing, Changed []string // tables, as `db.name`
}

func (d Drift) None() bool { return len(d.Extra)+len(d.Missing)+len(d.Changed) == 0 }

func (d Drift) String() string {
	var b strings.Builder
	for _, s := range []struct {
		title string
		ids   []string
	}{{"Tables added to database", d.Extra}, {"Tables removed from database", d.Missing}, {"Tables with schema changes", d.Changed}} {
		if len(s.ids) > 0 {
			fmt.Fprintf(&b, "  %s: %s\n", s.title, strings.Join(s.ids, ", "))
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

// TableDrift compares the tables of two maps (only tables, as upstream's
// detect_drift), each table through the differ so that what the differ
// calls the same (type spellings, codec defaults, column order kept by
// ClickHouse) is the same here too.
func TableDrift(actual, expected *infra.Map) Drift {
	var d Drift
	a, e := tablesOnly(actual), tablesOnly(expected)
	for _, c := range differ.Diff(e, a) {
		switch c := c.(type) {
		case differ.AddTable:
			d.Extra = append(d.Extra, differ.PhysicalKey(c.Table, actual.DefaultDatabase))
		case differ.DropTable:
			d.Missing = append(d.Missing, differ.PhysicalKey(c.Table, expected.DefaultDatabase))
		case differ.UpdateTable:
			d.Changed = append(d.Changed, differ.PhysicalKey(c.After, expected.DefaultDatabase))
		case differ.RecreateTable:
			d.Changed = append(d.Changed, differ.PhysicalKey(c.After, expected.DefaultDatabase))
		case differ.InvalidChange:
			d.Changed = append(d.Changed, differ.PhysicalKey(c.Table, expected.DefaultDatabase))
		}
	}
	for _, ids := range [][]string{d.Extra, d.Missing, d.Changed} {
		sort.Strings(ids)
	}
	return d
}

func tablesOnly(m *infra.Map) *infra.Map {
	out := infra.NewMap(m.DefaultDatabase)
	for id, t := range m.Tables {
		c := *t
		c.Metadata = nil
		out.Tables[id] = &c
	}
	return out
}

// Outcome is how a migration ended.
type Outcome int

const (
	Applied         Outcome = iota // the plan ran
	AlreadyAtTarget                // the database already matched the code: nothing ran
)

// Options are the knobs of Run.
type Options struct {
	Ignore Ignore                           // differences that are not drift
	Log    func(format string, args ...any) // progress lines
	SQL    func(sql string)                 // each statement an operation runs
	// AllowPartial applies a plan that does not reach its target
	// (local_infra_map.json) anyway, and stores the map it leads to.
	AllowPartial bool
	Lease        LeaseOptions // how long to wait for another run's lock, and the lease
	// Cluster, when set, is the cluster the target is (StateCluster): the
	// state and the lock live in tables replicated across it.
	Cluster string
}

// StateCluster is the cluster a target's state and lock live on: the
// first of the configured clusters (`[[clickhouse_config.clusters]]`) that
// a table of the code is on; "" (one server) when none is.
func StateCluster(configured []string, code *infra.Map) string {
	used := map[string]bool{}
	for _, t := range code.Tables {
		if t.ClusterName != nil {
			used[*t.ClusterName] = true
		}
	}
	for _, c := range configured {
		if used[c] {
			return c
		}
	}
	return ""
}

// Check is everything Run checks before it touches the database: the plan's
// operations (required fields, and each against the tables as they are at
// its point of the plan), the lifecycles, that the code still is what the
// plan leads to, and that the plan reaches it (unless o.AllowPartial). It
// returns the map the plan leads to.
func Check(code *infra.Map, f *Files, o Options) (*infra.Map, error) {
	if o.Log == nil {
		o.Log = func(string, ...any) {}
	}
	result, err := Simulate(f.Plan, f.Remote, f.Local)
	if err != nil {
		return nil, err
	}
	// A hand-edited plan does not get past the lifecycles either.
	if err := differ.CheckLifecycle(f.Plan.Operations, f.Remote, code); err != nil {
		return nil, err
	}
	if d := TableDrift(code, f.Local); !d.None() {
		return nil, fmt.Errorf("The desired state of the plan is different from the current code: generate the plan again (`%s`)\n%s", genRecipe, d)
	}
	if short := Shortfall(result, f.Local, o.Ignore); len(short) > 0 {
		list := "  " + strings.Join(short, "\n  ")
		if !o.AllowPartial {
			return nil, fmt.Errorf("%s does not reach its target (%s): after its %d operation(s)\n%s\n"+
				"Nothing was changed. Generate the plan again (`%s`), or apply it as it is with --allow-partial "+
				"(the state stored is then the map the plan leads to)", PlanFile, LocalFile, len(f.Plan.Operations), list, genRecipe)
		}
		o.Log("⚠ %s does not reach its target (%s); applying it as it is (--allow-partial), the state stored will be the map it leads to:\n%s",
			PlanFile, LocalFile, list)
	}
	return result, nil
}

// Run applies a generated migration to the target: Check; take the lock
// (a lease, renewed while the run works); read the database and compare
// with the plan's expectation (NoDrift, AlreadyAtTarget, or DriftDetected,
// which aborts with nothing changed); run the operations in order,
// recording progress after each; store the map the plan led to as the new
// state; release the lock. A run that fails after operations were applied
// keeps its progress: running the same plan again resumes at the first
// operation not applied. So does a run that takes over the lock of a run
// whose lease expired (it crashed); a live holder is never resumed over.
func Run(ctx context.Context, c *clickhouse.Client, code *infra.Map, f *Files, o Options) (Outcome, error) {
	if o.Log == nil {
		o.Log = func(string, ...any) {}
	}
	result, err := Check(code, f, o)
	if err != nil {
		return 0, err
	}
	o.Log("✓ Target = Code (plan is still valid)")
	st, err := NewStore(ctx, c)
	if err != nil {
		return 0, err
	}
	st.OnCluster(o.Cluster)
	hash := f.Hash()
	if o.Lease.Waiting == nil {
		o.Lease.Waiting = func(h *Holder) { o.Log("Waiting for the migration lock, held by %s", h) }
	}
	lease, prev, err := st.Acquire(ctx, hash, o.Lease)
	if err != nil {
		return 0, err
	}
	if prev != nil && !prev.Released {
		o.Log("Taking over the migration lock of %s: its lease expired", prev)
	}
	out, err := apply(ctx, c, st, lease, code, result, f, o, hash)
	if rerr := lease.Release(ctx); rerr != nil {
		msg := fmt.Sprintf("releasing the migration lock failed (%v): it expires by itself within %s; to release it now: `%s`", rerr, lease.dur, ReleaseRecipe)
		if err == nil {
			return out, errors.New(msg)
		}
		err = fmt.Errorf("%w\n%s", err, msg)
	}
	return out, err
}

// apply is Run under the lock.
func apply(ctx context.Context, c *clickhouse.Client, st *Store, lease *Lease, code, result *infra.Map, f *Files, o Options, hash string) (Outcome, error) {
	total := len(f.Plan.Operations)
	done, err := st.Progress(ctx, hash)
	if err != nil {
		return 0, err
	}
	if done > 0 {
		o.Log("Resuming the plan at operation %d of %d (%d applied by an earlier run)", done+1, total, done)
	} else {
		current, err := Remote(ctx, c, st, code)
		if err != nil {
			return 0, err
		}
		if d := TableDrift(current, o.Ignore.Apply(current, f.Remote)); !d.None() {
			if !TableDrift(current, o.Ignore.Apply(current, f.Local)).None() {
				return 0, fmt.Errorf("%s\n%s\nNothing was changed. Generate the plan again against the database as it is now (`%s`)", driftHeader, d, genRecipe)
			}
			o.Log("✓ Database already matches target state - skipping migration")
			return AlreadyAtTarget, st.SaveMap(ctx, code)
		}
		o.Log("✓ Current = Expected (no drift detected)")
	}
	if err := c.EnsureDatabasesFor(ctx, result); err != nil {
		return 0, err
	}
	views := infra.ViewClusters(c.Database(), f.Remote, f.Local)
	for i := done; i < total; i++ {
		op := f.Plan.Operations[i]
		if err := lease.Check(ctx); err != nil {
			return 0, fmt.Errorf("before operation %d of %d: %w\n%s", i+1, total, err, partialReport(f.Plan.Operations, i, false))
		}
		o.Log("  [%d/%d] %s", i+1, total, op.Describe())
		prev := c.Log
		c.Log = o.SQL
		err := c.Apply(ctx, []infra.Operation{op}, views)
		c.Log = prev
		if err != nil {
			return 0, fmt.Errorf("operation %d of %d failed: %w\n%s", i+1, total, err, partialReport(f.Plan.Operations, i, true))
		}
		// a run that lost its lease mid-operation (its renewals failed past
		// the expiry) records nothing: the newest progress row wins, and the
		// run that took over has its own
		if err := lease.Check(ctx); err != nil {
			return 0, fmt.Errorf("operation %d of %d applied, but not recorded: %w\n%s", i+1, total, err, partialReport(f.Plan.Operations, i+1, false))
		}
		if err := st.setProgress(ctx, hash, i+1, total); err != nil {
			return 0, fmt.Errorf("operation %d applied, but recording it failed: %w\nRunning the same plan again resumes at operation %d and runs it a second time", i+1, err, i+1)
		}
	}
	if err := lease.Check(ctx); err != nil {
		return 0, fmt.Errorf("every operation applied, but the state was not stored: %w", err)
	}
	return Applied, st.SaveMap(ctx, resulting(result, code))
}

// partialReport lists what a run applied and what it did not, and how to
// go on; resume says the same command resumes (this run's lock is
// released), else another run holds the lock now.
func partialReport(ops []infra.Operation, stopped int, resume bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Applied (%d):\n", stopped)
	for i := 0; i < stopped; i++ {
		fmt.Fprintf(&b, "  ✓ [%d] %s\n", i+1, ops[i].Describe())
	}
	fmt.Fprintf(&b, "Not applied (%d):\n", len(ops)-stopped)
	for i := stopped; i < len(ops); i++ {
		fmt.Fprintf(&b, "  ✗ [%d] %s\n", i+1, ops[i].Describe())
	}
	if resume {
		fmt.Fprintf(&b, "The progress is kept and the lock released: fix the cause and run the same command again to resume at operation %d.", stopped+1)
	} else {
		b.WriteString("The progress is kept; another run holds the lock now (a run of the same plan resumes from the progress).")
	}
	return b.String()
}
