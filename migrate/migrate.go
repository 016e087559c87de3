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
	"time"

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
	dbs := []string{c.Database()}
	seen := map[string]bool{c.Database(): true}
	for _, m := range []*infra.Map{stored, code} {
		for _, t := range m.Tables {
			if d := t.DatabaseOr(c.Database()); !seen[d] {
				seen[d] = true
				dbs = append(dbs, d)
			}
		}
	}
	live, err := c.Reality(ctx, dbs...)
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
	ops := differ.PlanWith(olap, differ.PlanOptions{KeepData: true})
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
	Now    func() time.Time
}

// Run applies a generated migration to the target: check the plan and that
// the code still is what it leads to; lock; read the database and compare
// with the plan's expectation (NoDrift, AlreadyAtTarget, or DriftDetected,
// which aborts with nothing changed); run the operations in order,
// recording progress after each; store the code's map as the new state;
// unlock. When an operation fails after others were applied, the lock and
// the progress stay, and running the same plan again resumes at the first
// operation not applied; any other failure releases the lock.
func Run(ctx context.Context, c *clickhouse.Client, code *infra.Map, f *Files, o Options) (Outcome, error) {
	if o.Log == nil {
		o.Log = func(string, ...any) {}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if err := Validate(f.Plan, f.Remote); err != nil {
		return 0, err
	}
	// A hand-edited plan does not get past the lifecycles either.
	if err := differ.CheckLifecycle(f.Plan.Operations, f.Remote, code); err != nil {
		return 0, err
	}
	if d := TableDrift(code, f.Local); !d.None() {
		return 0, fmt.Errorf("The desired state of the plan is different from the current code: generate the plan again (`%s`)\n%s", genRecipe, d)
	}
	o.Log("✓ Target = Code (plan is still valid)")
	st, err := NewStore(ctx, c)
	if err != nil {
		return 0, err
	}
	hash := f.Hash()
	if err := st.Lock(ctx, hash, o.Now()); err != nil {
		return 0, err
	}
	out, partial, err := apply(ctx, c, st, code, f, o, hash)
	if partial {
		return out, err // the lock stays with this plan until it is resumed
	}
	if uerr := st.Unlock(ctx); err == nil {
		err = uerr
	}
	return out, err
}

// apply is Run under the lock. partial reports that the database was left
// between the plan's start and its end.
func apply(ctx context.Context, c *clickhouse.Client, st *Store, code *infra.Map, f *Files, o Options, hash string) (out Outcome, partial bool, err error) {
	total := len(f.Plan.Operations)
	done, err := st.Progress(ctx, hash)
	if err != nil {
		return 0, false, err
	}
	if done > 0 {
		o.Log("Resuming the plan at operation %d of %d (%d applied by an earlier run)", done+1, total, done)
	} else {
		current, err := Remote(ctx, c, st, code)
		if err != nil {
			return 0, false, err
		}
		if d := TableDrift(current, o.Ignore.Apply(current, f.Remote)); !d.None() {
			if !TableDrift(current, o.Ignore.Apply(current, f.Local)).None() {
				return 0, false, fmt.Errorf("%s\n%s\nNothing was changed. Generate the plan again against the database as it is now (`%s`)", driftHeader, d, genRecipe)
			}
			o.Log("✓ Database already matches target state - skipping migration")
			return AlreadyAtTarget, false, st.SaveMap(ctx, code)
		}
		o.Log("✓ Current = Expected (no drift detected)")
	}
	for i := done; i < total; i++ {
		op := f.Plan.Operations[i]
		o.Log("  [%d/%d] %s", i+1, total, op.Describe())
		prev := c.Log
		c.Log = o.SQL
		err := c.Apply(ctx, []infra.Operation{op})
		c.Log = prev
		if err != nil {
			return 0, i > 0, fmt.Errorf("operation %d of %d failed: %w\n%s", i+1, total, err, partialReport(f.Plan.Operations, i))
		}
		if err := st.setProgress(ctx, hash, i+1, total); err != nil {
			return 0, true, fmt.Errorf("operation %d applied, but recording it failed: %w", i+1, err)
		}
	}
	return Applied, false, st.SaveMap(ctx, code)
}

// partialReport lists what a failed run applied and what it did not.
func partialReport(ops []infra.Operation, failed int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Applied (%d):\n", failed)
	for i := 0; i < failed; i++ {
		fmt.Fprintf(&b, "  ✓ [%d] %s\n", i+1, ops[i].Describe())
	}
	fmt.Fprintf(&b, "Not applied (%d):\n", len(ops)-failed)
	for i := failed; i < len(ops); i++ {
		fmt.Fprintf(&b, "  ✗ [%d] %s\n", i+1, ops[i].Describe())
	}
	b.WriteString("The lock and the progress are kept: fix the cause and run the same command again to resume.")
	return b.String()
}
