package migrate_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/moose-dev/moose-dev/chdb"
	"github.com/moose-dev/moose-dev/clickhouse"
	"github.com/moose-dev/moose-dev/differ"
	"github.com/moose-dev/moose-dev/infra"
	"github.com/moose-dev/moose-dev/internal/chtest"
	"github.com/moose-dev/moose-dev/migrate"
	"github.com/moose-dev/moose-dev/planfile"
)

func TestMain(m *testing.M) {
	chdb.RunChildIfRequested()
	os.Exit(m.Run())
}

func column(name string, t infra.ColumnType) infra.Column {
	return infra.Column{Name: name, DataType: t, Required: true}
}

func table(name string, cols ...infra.Column) *infra.Table {
	return &infra.Table{Name: name, Engine: infra.MergeTree, OrderBy: infra.OrderBy{Fields: []string{cols[0].Name}},
		Columns: cols, LifeCycle: infra.FullyManaged}
}

func codeMap(tables ...*infra.Table) *infra.Map {
	m := infra.NewMap("local")
	for _, t := range tables {
		m.Tables[t.ID("local")] = t
	}
	return m
}

// generate is `moose-dev generate migration --save`: it writes the files
// to a fresh directory and reads them back as migrate will.
func generate(t *testing.T, c *clickhouse.Client, code *infra.Map) (*migrate.Files, string) {
	t.Helper()
	return generateWith(t, c, code, migrate.ComputeOptions{})
}

func generateWith(t *testing.T, c *clickhouse.Client, code *infra.Map, o migrate.ComputeOptions) (*migrate.Files, string) {
	t.Helper()
	ctx := context.Background()
	st, err := migrate.NewStore(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	remote, err := migrate.Remote(ctx, c, st, code)
	if err != nil {
		t.Fatal(err)
	}
	ch, err := migrate.Compute(remote, code, o)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	f := &migrate.Files{Plan: &planfile.Plan{Operations: ch.Ops}, Remote: remote, Local: code}
	if err := f.Save(dir); err != nil {
		t.Fatal(err)
	}
	back, err := migrate.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	return back, dir
}

func run(t *testing.T, c *clickhouse.Client, code *infra.Map, f *migrate.Files) (migrate.Outcome, []string, error) {
	var lines []string
	out, err := migrate.Run(context.Background(), c, code, f, migrate.Options{Log: func(format string, args ...any) {
		lines = append(lines, strings.TrimSpace(fmt.Sprintf(format, args...)))
	}})
	return out, lines, err
}

func columns(t *testing.T, c *clickhouse.Client, name string) []string {
	t.Helper()
	live, err := c.Reality(context.Background(), "local")
	if err != nil {
		t.Fatal(err)
	}
	tb, ok := live["local."+name]
	if !ok {
		return nil
	}
	var out []string
	for _, col := range tb.Columns {
		out = append(out, col.Name)
	}
	return out
}

func TestGenerateThenMigrateThenAlreadyAtTarget(t *testing.T) {
	srv := chtest.Start(t, "local")
	code := codeMap(table("Events", column("id", infra.String), column("n", infra.Int64)))
	f, _ := generate(t, srv.Client, code)
	if len(f.Plan.Operations) != 1 || f.Plan.Operations[0].OpName() != "CreateTable" {
		t.Fatalf("plan = %v, want one CreateTable", f.Plan.Operations)
	}
	out, lines, err := run(t, srv.Client, code, f)
	if err != nil || out != migrate.Applied {
		t.Fatalf("migrate: %v, %v", out, err)
	}
	if got := columns(t, srv.Client, "Events"); strings.Join(got, ",") != "id,n" {
		t.Fatalf("Events columns = %v", got)
	}
	if !contains(lines, "[1/1] Creating table 'Events'") || !contains(lines, "Current = Expected") {
		t.Errorf("progress lines = %q", lines)
	}
	// The same plan again: the database is at the target, nothing runs.
	out, _, err = run(t, srv.Client, code, f)
	if err != nil || out != migrate.AlreadyAtTarget {
		t.Fatalf("second migrate: %v, %v; want AlreadyAtTarget", out, err)
	}
	// The stored state now is the code: a new plan is empty.
	if g, _ := generate(t, srv.Client, code); len(g.Plan.Operations) != 0 {
		t.Errorf("plan after migrating = %v, want none", g.Plan.Operations)
	}
}

func TestDriftAbortsWithNothingChanged(t *testing.T) {
	srv := chtest.Start(t, "local")
	ctx := context.Background()
	v1 := codeMap(table("Events", column("id", infra.String)))
	f, _ := generate(t, srv.Client, v1)
	if _, _, err := run(t, srv.Client, v1, f); err != nil {
		t.Fatal(err)
	}
	v2 := codeMap(table("Events", column("id", infra.String), column("n", infra.Int64)))
	f2, _ := generate(t, srv.Client, v2)
	// Someone alters the table by hand after the plan was made.
	if err := srv.Client.Exec(ctx, "ALTER TABLE local.Events ADD COLUMN manual String"); err != nil {
		t.Fatal(err)
	}
	_, _, err := run(t, srv.Client, v2, f2)
	if err == nil || !strings.Contains(err.Error(), "database state has changed since plan was generated") || !strings.Contains(err.Error(), "Tables with schema changes: local.Events") {
		t.Fatalf("migrate after drift: %v; want the drift reported with the table", err)
	}
	if got := columns(t, srv.Client, "Events"); strings.Join(got, ",") != "id,manual" {
		t.Errorf("columns after aborted migrate = %v; want nothing changed", got)
	}
	st, err := migrate.NewStore(ctx, srv.Client)
	if err != nil {
		t.Fatal(err)
	}
	if h, err := st.Holder(ctx); err != nil || h == nil || h.Live() {
		t.Errorf("an aborted migration kept the lock: %v %v", h, err)
	}
}

func TestCodeChangedSincePlanAborts(t *testing.T) {
	srv := chtest.Start(t, "local")
	code := codeMap(table("Events", column("id", infra.String)))
	f, _ := generate(t, srv.Client, code)
	edited := codeMap(table("Events", column("id", infra.String), column("extra", infra.Int32)))
	if _, _, err := run(t, srv.Client, edited, f); err == nil || !strings.Contains(err.Error(), "different from the current code") {
		t.Fatalf("migrate with changed code: %v", err)
	}
	if got := columns(t, srv.Client, "Events"); got != nil {
		t.Errorf("Events exists after the refused migration: %v", got)
	}
}

// A middle operation fails (a table it needs is missing); the run stops,
// reports, and the same command resumes at that operation once the cause
// is fixed, without running the first operation twice.
func TestFailedMiddleOperationResumes(t *testing.T) {
	srv := chtest.Start(t, "local")
	ctx := context.Background()
	code := codeMap(table("A", column("id", infra.String)), table("B", column("id", infra.String)))
	f, _ := generate(t, srv.Client, code)
	if len(f.Plan.Operations) != 2 {
		t.Fatalf("plan = %v", f.Plan.Operations)
	}
	ops := f.Plan.Operations
	f.Plan.Operations = []infra.Operation{ops[0],
		infra.RawSQL{SQL: []string{"INSERT INTO local.helper VALUES (1)"}, Description: "Seeding helper"}, ops[1]}
	_, _, err := run(t, srv.Client, code, f)
	if err == nil || !strings.Contains(err.Error(), "operation 2 of 3 failed") || !strings.Contains(err.Error(), "Not applied (2)") ||
		!strings.Contains(err.Error(), "run the same command again to resume at operation 2") {
		t.Fatalf("first run: %v", err)
	}
	// the failed run released its lock: the next run need not wait for it
	st, err := migrate.NewStore(ctx, srv.Client)
	if err != nil {
		t.Fatal(err)
	}
	if h, err := st.Holder(ctx); err != nil || h == nil || h.Live() {
		t.Fatalf("after the failed run the lock is %v (%v); want it released", h, err)
	}
	if err := srv.Client.Exec(ctx, "CREATE TABLE local.helper (x UInt8) ENGINE = MergeTree ORDER BY x"); err != nil {
		t.Fatal(err)
	}
	out, lines, err := run(t, srv.Client, code, f)
	if err != nil || out != migrate.Applied {
		t.Fatalf("re-run: %v, %v", out, err)
	}
	if !contains(lines, "Resuming the plan at operation 2 of 3") || contains(lines, "[1/3]") {
		t.Errorf("re-run lines = %q; want a resume at 2 without re-running 1", lines)
	}
	for _, name := range []string{"A", "B"} {
		if columns(t, srv.Client, name) == nil {
			t.Errorf("table %s missing after the resumed run", name)
		}
	}
}

// upstream never generates renames; a person edits the plan, and the data
// must survive.
func TestHandAddedRenameKeepsData(t *testing.T) {
	srv := chtest.Start(t, "local")
	ctx := context.Background()
	v1 := codeMap(table("Users", column("id", infra.String), column("mail", infra.String)))
	f, _ := generate(t, srv.Client, v1)
	if _, _, err := run(t, srv.Client, v1, f); err != nil {
		t.Fatal(err)
	}
	if err := srv.Client.Exec(ctx, "INSERT INTO local.Users VALUES ('u1', 'a@b.c')"); err != nil {
		t.Fatal(err)
	}
	v2 := codeMap(table("Users", column("id", infra.String), column("email", infra.String)))
	f2, dir := generate(t, srv.Client, v2)
	names := []string{}
	for _, op := range f2.Plan.Operations {
		names = append(names, op.OpName())
	}
	if strings.Join(names, ",") != "DropTableColumn,AddTableColumn" {
		t.Fatalf("generated plan = %v; want a drop and an add", names)
	}
	yaml := "created_at: 2026-11-22T00:00:00.000000Z\noperations:\n- RenameTableColumn:\n    table: Users\n    before_column_name: mail\n    after_column_name: email\n    database: null\n    cluster_name: null\n"
	if err := os.WriteFile(dir+"/"+migrate.PlanFile, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	f3, err := migrate.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := run(t, srv.Client, v2, f3); err != nil {
		t.Fatal(err)
	}
	rows, err := srv.Client.Query(ctx, "SELECT email FROM local.Users")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got string
	if !rows.Next() || rows.Scan(&got) != nil || got != "a@b.c" {
		t.Errorf("email after rename = %q; want the row's old mail", got)
	}
}

func TestAPlannedTableRenameKeepsTheRows(t *testing.T) {
	srv := chtest.Start(t, "local")
	ctx := context.Background()
	v1 := codeMap(table("Signup", column("id", infra.String), column("mail", infra.String)))
	f, _ := generate(t, srv.Client, v1)
	if _, _, err := run(t, srv.Client, v1, f); err != nil {
		t.Fatal(err)
	}
	if err := srv.Client.Exec(ctx, "INSERT INTO local.Signup VALUES ('u1', 'a@b.c')"); err != nil {
		t.Fatal(err)
	}
	v2 := codeMap(table("Signups", column("id", infra.String), column("mail", infra.String)))
	f2, _ := generateWith(t, srv.Client, v2, migrate.ComputeOptions{Renames: true})
	if len(f2.Plan.Operations) != 1 || f2.Plan.Operations[0].OpName() != "RawSql" {
		t.Fatalf("plan = %v; want one RawSql RENAME TABLE", f2.Plan.Operations)
	}
	out, lines, err := run(t, srv.Client, v2, f2)
	if err != nil || out != migrate.Applied {
		t.Fatalf("migrate: %v %v\n%s", out, err, strings.Join(lines, "\n"))
	}
	rows, err := srv.Client.Query(ctx, "SELECT mail FROM local.Signups")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got string
	if !rows.Next() || rows.Scan(&got) != nil || got != "a@b.c" {
		t.Errorf("Signups.mail = %q; want the row of Signup", got)
	}
	if columns(t, srv.Client, "Signup") != nil {
		t.Error("Signup still exists")
	}
	if g, _ := generate(t, srv.Client, v2); len(g.Plan.Operations) != 0 {
		t.Errorf("plan after migrating = %v, want none", g.Plan.Operations)
	}
}

func TestDeletionProtectedTableSurvives(t *testing.T) {
	srv := chtest.Start(t, "local")
	keep := table("Keep", column("id", infra.String))
	keep.LifeCycle = infra.DeletionProtected
	v1 := codeMap(keep)
	f, _ := generate(t, srv.Client, v1)
	if _, _, err := run(t, srv.Client, v1, f); err != nil {
		t.Fatal(err)
	}
	v2 := codeMap()
	f2, dir := generate(t, srv.Client, v2)
	if len(f2.Plan.Operations) != 0 {
		t.Fatalf("plan drops a protected table: %v", f2.Plan.Operations)
	}
	// A hand-added drop is refused before anything runs.
	yaml := "created_at: 2026-11-22T00:00:00.000000Z\noperations:\n- DropTable:\n    table: Keep\n    database: null\n    cluster_name: null\n"
	if err := os.WriteFile(dir+"/"+migrate.PlanFile, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	f3, err := migrate.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := run(t, srv.Client, v2, f3); err == nil || !strings.Contains(err.Error(), "DELETION_PROTECTED") {
		t.Fatalf("hand-added drop of a protected table: %v", err)
	}
	if columns(t, srv.Client, "Keep") == nil {
		t.Error("the protected table was dropped")
	}
}

func TestMissingFilesNameTheRecipe(t *testing.T) {
	_, err := migrate.Load(t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "generate migration --clickhouse-url") {
		t.Fatalf("Load of an empty directory: %v", err)
	}
}

// The lock is a lease: a live holder refuses every other run (of the same
// plan too: it is not a resume while the holder works), naming it; a
// released lock or an expired lease (a holder that stopped renewing, as a
// killed run does) may be taken, and the taker hears whose it was.
func TestTheLockIsALease(t *testing.T) {
	srv := chtest.Start(t, "local")
	ctx := context.Background()
	st, err := migrate.NewStore(ctx, srv.Client)
	if err != nil {
		t.Fatal(err)
	}
	a, prev, err := st.Acquire(ctx, "plan-a", migrate.LeaseOptions{Duration: time.Hour})
	if err != nil || prev != nil {
		t.Fatalf("first acquire: %v (previous holder %v)", err, prev)
	}
	for _, plan := range []string{"plan-b", "plan-a"} {
		_, _, err := st.Acquire(ctx, plan, migrate.LeaseOptions{})
		var locked *migrate.LockedError
		if !errors.As(err, &locked) || !errors.Is(err, migrate.ErrLocked) || locked.Holder.Owner != a.Owner() {
			t.Fatalf("%s while plan-a holds the lock: %v; want a LockedError naming %s", plan, err, a.Owner())
		}
		for _, want := range []string{a.Owner(), fmt.Sprintf("pid %d", os.Getpid()), "lease until", "--release-lock"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("the refusal %q does not say %q", err, want)
			}
		}
	}
	if err := a.Release(ctx); err != nil {
		t.Fatal(err)
	}
	// a holder that stops renewing (Renew far beyond its lease) is a
	// crashed run: its lease runs out and the next run takes over
	crashed, prev, err := st.Acquire(ctx, "plan-c", migrate.LeaseOptions{Duration: 50 * time.Millisecond, Renew: time.Hour})
	if err != nil || prev == nil || prev.Owner != a.Owner() || !prev.Released {
		t.Fatalf("acquire after a release: %v (previous holder %+v, want the released %s)", err, prev, a.Owner())
	}
	t.Cleanup(func() { crashed.Release(ctx) })
	var waited *migrate.Holder
	next, prev, err := st.Acquire(ctx, "plan-c", migrate.LeaseOptions{Duration: time.Hour, Wait: time.Minute, Waiting: func(h *migrate.Holder) { waited = h }})
	if err != nil || prev == nil || prev.Owner != crashed.Owner() || prev.Released {
		t.Fatalf("acquire after the holder's lease expired: %v (previous holder %+v, want the expired %s)", err, prev, crashed.Owner())
	}
	if waited != nil && waited.Owner != crashed.Owner() {
		t.Errorf("waited for %v, want %s", waited, crashed.Owner())
	}
	// the lease is this run's; the crashed run's is not any more
	if err := next.Check(ctx); err != nil {
		t.Errorf("the new holder's lease: %v", err)
	}
	if err := crashed.Check(ctx); err == nil {
		t.Error("the expired holder still believes it holds the lock")
	}
	// --release-lock releases a live holder's lock
	h, released, err := st.ReleaseLock(ctx)
	if err != nil || !released || h.Owner != next.Owner() {
		t.Fatalf("ReleaseLock: %v %v %+v", released, err, h)
	}
	if h, released, err := st.ReleaseLock(ctx); err != nil || released || !h.Released {
		t.Fatalf("ReleaseLock with no live holder: %v %v %+v", released, err, h)
	}
	if err := next.Check(ctx); err == nil {
		t.Error("a released lease still checks as held")
	}
	next.Release(ctx)
}

// A held lease is renewed in the background: its expiry moves on while the
// holder works; released, it is not live.
func TestALeaseIsRenewedWhileHeld(t *testing.T) {
	srv := chtest.Start(t, "local")
	ctx := context.Background()
	st, err := migrate.NewStore(ctx, srv.Client)
	if err != nil {
		t.Fatal(err)
	}
	l, _, err := st.Acquire(ctx, "plan", migrate.LeaseOptions{Duration: time.Hour, Renew: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	first, err := st.Holder(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(10 * time.Millisecond) {
		h, err := st.Holder(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if h.Expires().After(first.Expires()) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the lease was never renewed: %v", h)
		}
	}
	if err := l.Release(ctx); err != nil {
		t.Fatal(err)
	}
	released, err := st.Holder(ctx)
	if err != nil || !released.Released || released.Live() {
		t.Fatalf("after Release: %+v %v", released, err)
	}
}

// Runs claiming the lock in the same instant: exactly one gets it, every
// time, and the others are told who did.
func TestClaimsInTheSameInstantHaveOneWinner(t *testing.T) {
	srv := chtest.Start(t, "local")
	ctx := context.Background()
	const runs = 3
	for round := 0; round < 20; round++ {
		var wg sync.WaitGroup
		start := make(chan struct{})
		leases := make([]*migrate.Lease, runs)
		errs := make([]error, runs)
		for i := 0; i < runs; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				st, err := migrate.NewStore(ctx, srv.Client)
				if err != nil {
					errs[i] = err
					return
				}
				<-start
				leases[i], _, errs[i] = st.Acquire(ctx, fmt.Sprintf("plan-%d", i), migrate.LeaseOptions{Duration: time.Hour})
			}()
		}
		close(start)
		wg.Wait()
		var winner *migrate.Lease
		for i, l := range leases {
			if l == nil {
				continue
			}
			if winner != nil {
				t.Fatalf("round %d: two runs hold the lock: %s and %s", round, winner.Owner(), l.Owner())
			}
			winner = leases[i]
		}
		if winner == nil {
			t.Fatalf("round %d: no run got the lock: %v", round, errs)
		}
		for i, err := range errs {
			var locked *migrate.LockedError
			if leases[i] == nil && (!errors.As(err, &locked) || locked.Holder.Owner != winner.Owner()) {
				t.Fatalf("round %d: a loser's error %v does not name the winner %s", round, err, winner.Owner())
			}
		}
		if err := winner.Release(ctx); err != nil {
			t.Fatal(err)
		}
	}
}

func contains(lines []string, s string) bool {
	for _, l := range lines {
		if strings.Contains(l, s) {
			return true
		}
	}
	return false
}

// A difference `ignore_operations` names is not drift: a column turned
// LowCardinality by hand after the plan was made does not stop it.
func TestIgnoredDifferenceIsNotDrift(t *testing.T) {
	srv := chtest.Start(t, "local")
	ctx := context.Background()
	v1 := codeMap(table("Events", column("id", infra.String), column("name", infra.String)))
	f, _ := generate(t, srv.Client, v1)
	if _, _, err := run(t, srv.Client, v1, f); err != nil {
		t.Fatal(err)
	}
	v2 := codeMap(table("Events", column("id", infra.String), column("name", infra.String), column("n", infra.Int64)))
	f2, _ := generate(t, srv.Client, v2)
	if err := srv.Client.Exec(ctx, "ALTER TABLE local.Events MODIFY COLUMN name LowCardinality(String)"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := run(t, srv.Client, v2, f2); err == nil || !strings.Contains(err.Error(), "database state has changed") {
		t.Fatalf("without ignoring, the hand change is drift: %v", err)
	}
	ig, _ := migrate.ParseIgnore([]string{migrate.IgnoreLowCardinality})
	out, err := migrate.Run(ctx, srv.Client, v2, f2, migrate.Options{Ignore: ig})
	if err != nil || out != migrate.Applied {
		t.Fatalf("with IgnoreStringLowCardinalityDifferences: %v, %v", out, err)
	}
	if got := columns(t, srv.Client, "Events"); strings.Join(got, ",") != "id,name,n" {
		t.Errorf("columns = %v", got)
	}
}

// handEdit writes ops as the plan.yaml of dir (a person editing the plan)
// and reads the migration back.
func handEdit(t *testing.T, dir string, ops []infra.Operation) *migrate.Files {
	t.Helper()
	y, err := (&planfile.Plan{CreatedAt: time.Now(), Operations: ops}).MarshalYAML()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dir+"/"+migrate.PlanFile, y, 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := migrate.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func countRows(t *testing.T, c *clickhouse.Client, sql string) uint64 {
	t.Helper()
	rows, err := c.Query(context.Background(), sql)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var n uint64
	if !rows.Next() {
		t.Fatalf("%s: no row (%v)", sql, rows.Err())
	}
	if err := rows.Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// Two runs of one plan, the second started while the first holds the lock
// and works: the second never applies (nor "resumes") it; it fails naming
// the holder, or, told to wait, waits and finds the database at the
// target. The plan's hand-added INSERT lands exactly once.
func TestTwoRunsOfOnePlanApplyItOnce(t *testing.T) {
	for _, wait := range []time.Duration{0, time.Minute} {
		t.Run(fmt.Sprintf("wait=%s", wait), func(t *testing.T) {
			srv, other, code, f := seededPlan(t)
			ctx := context.Background()

			aHolds, bWaits, bDone := make(chan struct{}), make(chan struct{}), make(chan struct{})
			var outA, outB migrate.Outcome
			var errA, errB error
			var wg sync.WaitGroup
			wg.Add(1)
			go func() {
				defer wg.Done()
				outA, errA = migrate.Run(ctx, srv.Client, code, f, migrate.Options{Log: func(format string, args ...any) {
					if strings.Contains(format, "Current = Expected") { // under the lock, before the first operation
						close(aHolds)
						select {
						case <-bWaits:
						case <-bDone:
						}
					}
				}})
			}()
			select {
			case <-aHolds:
			case <-time.After(time.Minute):
				t.Fatal("the first run never got to its operations")
			}
			outB, errB = migrate.Run(ctx, other, code, f, migrate.Options{Lease: migrate.LeaseOptions{Wait: wait,
				Waiting: func(*migrate.Holder) { close(bWaits) }}})
			close(bDone)
			wg.Wait()
			if errA != nil || outA != migrate.Applied {
				t.Fatalf("first run: %v, %v", outA, errA)
			}
			if wait == 0 {
				if !errors.Is(errB, migrate.ErrLocked) || !strings.Contains(errB.Error(), fmt.Sprintf("pid %d", os.Getpid())) {
					t.Errorf("second run while the first holds the lock: %v, %v; want it refused naming the holder", outB, errB)
				}
			} else if errB != nil || outB != migrate.AlreadyAtTarget {
				t.Errorf("second run, waiting for the first: %v, %v; want it to find the database at the target", outB, errB)
			}
			if n := countRows(t, srv.Client, "SELECT count() FROM local.Events WHERE id = 'x' AND n = 1"); n != 1 {
				t.Fatalf("the plan's INSERT landed %d times, want once", n)
			}
			if g, _ := generate(t, srv.Client, code); len(g.Plan.Operations) != 0 {
				t.Errorf("plan after both runs = %v, want none", g.Plan.Operations)
			}
		})
	}
}

// An ORDER BY change plans a recreate that keeps the rows (a leftover
// drop, the new table beside the old, the copy, the swap, the drop), and
// that plan validates and migrates: every row and value is still there and
// ClickHouse's sorting key is the new one.
func TestAnOrderByChangeMigratesKeepingTheRows(t *testing.T) {
	srv := chtest.Start(t, "local")
	ctx := context.Background()
	v1 := codeMap(table("Events", column("id", infra.String), column("city", infra.String), column("n", infra.Int64)))
	f, _ := generate(t, srv.Client, v1)
	if _, _, err := run(t, srv.Client, v1, f); err != nil {
		t.Fatal(err)
	}
	if err := srv.Client.Exec(ctx, "INSERT INTO local.Events VALUES ('a', 'paris', 1), ('b', 'oslo', 2), ('c', '', -3)"); err != nil {
		t.Fatal(err)
	}
	reordered := table("Events", column("id", infra.String), column("city", infra.String), column("n", infra.Int64))
	reordered.OrderBy = infra.OrderBy{Fields: []string{"city", "id"}}
	v2 := codeMap(reordered)
	f2, _ := generate(t, srv.Client, v2)
	var kinds []string
	for _, op := range f2.Plan.Operations {
		kinds = append(kinds, op.OpName())
	}
	if strings.Join(kinds, ",") != "DropTable,CreateTable,RawSql,RawSql,DropTable" {
		t.Fatalf("plan = %v; want the keep-rows recreate", kinds)
	}
	out, lines, err := run(t, srv.Client, v2, f2)
	if err != nil || out != migrate.Applied {
		t.Fatalf("migrate: %v %v\n%s", out, err, strings.Join(lines, "\n"))
	}
	rows, err := srv.Client.Query(ctx, "SELECT id, city, n FROM local.Events ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rows.Next() {
		var id, city string
		var n int64
		if err := rows.Scan(&id, &city, &n); err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%s/%s/%d", id, city, n))
	}
	rows.Close()
	if strings.Join(got, " ") != "a/paris/1 b/oslo/2 c//-3" {
		t.Errorf("rows after the recreate: %v", got)
	}
	live, err := srv.Client.Tables(ctx, "local")
	if err != nil {
		t.Fatal(err)
	}
	if live["Events"] == nil || live["Events"].SortingKey != "city, id" {
		t.Errorf("sorting key after the recreate: %+v", live["Events"])
	}
	if live["Events"+differ.RecreateSuffix] != nil {
		t.Error("the recreate's temporary table is left behind")
	}
	if g, _ := generate(t, srv.Client, v2); len(g.Plan.Operations) != 0 {
		t.Errorf("plan after migrating = %v, want none", g.Plan.Operations)
	}
}

// Plans cut short or broken by hand are refused before anything runs,
// naming what is wrong, with nothing changed and no lock left behind; a
// plan that does not reach its target runs only when asked, and then the
// state stored is the map it led to, so the next plan does the rest.
func TestCutAndBrokenPlans(t *testing.T) {
	srv := chtest.Start(t, "local")
	ctx := context.Background()
	code := codeMap(table("A", column("id", infra.String)), table("B", column("id", infra.String), column("n", infra.Int64)))
	f, dir := generate(t, srv.Client, code)
	raw, err := os.ReadFile(dir + "/" + migrate.PlanFile)
	if err != nil {
		t.Fatal(err)
	}
	full := string(raw)
	// where the second operation's line starts
	first := strings.Index(full, "- CreateTable:")
	second := strings.LastIndex(full[:first+1+strings.Index(full[first+1:], "- CreateTable:")], "\n")
	if len(f.Plan.Operations) != 2 || first < 0 || second <= first {
		t.Fatalf("plan = %v\n%s", f.Plan.Operations, full)
	}
	indent := full[second+1 : second+1+strings.Index(full[second+1:], "-")] // of an operation's line
	secondColumns := second + strings.Index(full[second:], "columns:") + len("columns:")
	nothingChanged := func(what string) {
		t.Helper()
		if live, err := srv.Client.Reality(ctx, "local"); err != nil || len(live) != 0 {
			t.Fatalf("%s: tables %v (%v); want none", what, live, err)
		}
		st, err := migrate.NewStore(ctx, srv.Client)
		if err != nil {
			t.Fatal(err)
		}
		if h, err := st.Holder(ctx); err != nil || (h != nil && h.Live()) {
			t.Fatalf("%s: the lock is held: %v %v", what, h, err)
		}
		if m, err := st.LoadMap(ctx); err != nil || len(m.Tables) != 0 {
			t.Fatalf("%s: a state was stored: %v %v", what, m, err)
		}
	}
	write := func(content string) {
		t.Helper()
		if err := os.WriteFile(dir+"/"+migrate.PlanFile, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct{ name, yaml, want string }{
		{"cut in the middle of an operation", full[:secondColumns], "operations[1] (CreateTable): table.name"},
		{"a CreateTable without a name", strings.Replace(full, "name: B", "name: ''", 1), "operations[1] (CreateTable): table.name: the table to create needs a name"},
		{"an operation on a table the plan never made", full + indent + "- DropTableColumn: {table: C, column_name: n}\n",
			"operations[2] (DropTableColumn): table: table \"local.C\" does not exist"},
		{"not YAML", full[:second] + "\n  - : [\n", "plan.yaml"},
	} {
		write(tc.yaml)
		g, err := migrate.Load(dir)
		if err == nil {
			_, _, err = run(t, srv.Client, code, g)
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Fatalf("%s: %v; want it refused with %q", tc.name, err, tc.want)
		}
		nothingChanged(tc.name)
	}

	// cut after its first operation: valid, but short of its target
	write(full[:second+1])
	cut, err := migrate.Load(dir)
	if err != nil || len(cut.Plan.Operations) != 1 {
		t.Fatalf("the cut plan: %v %v", cut, err)
	}
	if _, _, err := run(t, srv.Client, code, cut); err == nil || !strings.Contains(err.Error(), "does not reach its target") ||
		!strings.Contains(err.Error(), "table local.B: missing (the plan does not create it)") || !strings.Contains(err.Error(), "--allow-partial") {
		t.Fatalf("the cut plan: %v; want it refused naming table local.B", err)
	}
	nothingChanged("the cut plan")
	var lines []string
	out, err := migrate.Run(ctx, srv.Client, code, cut, migrate.Options{AllowPartial: true,
		Log: func(format string, args ...any) { lines = append(lines, fmt.Sprintf(format, args...)) }})
	if err != nil || out != migrate.Applied || !contains(lines, "local.B: missing") {
		t.Fatalf("the cut plan with AllowPartial: %v %v\n%s", out, err, strings.Join(lines, "\n"))
	}
	if got := columns(t, srv.Client, "A"); strings.Join(got, ",") != "id" || columns(t, srv.Client, "B") != nil {
		t.Fatalf("after the cut plan: A %v, B %v; want A only", got, columns(t, srv.Client, "B"))
	}
	st, err := migrate.NewStore(ctx, srv.Client)
	if err != nil {
		t.Fatal(err)
	}
	stored, err := st.LoadMap(ctx)
	if err != nil || stored.Tables["local_A"] == nil || stored.Tables["local_B"] != nil {
		t.Fatalf("stored state after the cut plan: %v %v; want A and not B", stored.Tables, err)
	}
	rest, _ := generate(t, srv.Client, code)
	if len(rest.Plan.Operations) != 1 || rest.Plan.Operations[0].Describe() != "Creating table 'B'" {
		t.Fatalf("the plan after the cut one = %v; want B created", rest.Plan.Operations)
	}
}

// seededPlan is an engine, a second client on it (another machine's
// run), and a generated plan for one table with a hand-added INSERT, which
// must land exactly once.
func seededPlan(t *testing.T) (*chtest.Server, *clickhouse.Client, *infra.Map, *migrate.Files) {
	t.Helper()
	srv := chtest.Start(t, "local")
	other, err := clickhouse.Open(context.Background(), clickhouse.Config{Addr: srv.Addr, User: chtest.User, Password: chtest.Password, Database: "local"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close() })
	code := codeMap(table("Events", column("id", infra.String), column("n", infra.Int64)))
	f, dir := generate(t, srv.Client, code)
	f = handEdit(t, dir, append(f.Plan.Operations, infra.RawSQL{SQL: []string{"INSERT INTO local.Events VALUES ('x', 1)"}, Description: "Seeding Events"}))
	return srv, other, code, f
}

// A run that loses its lease during an operation (here released by hand,
// as `migrate --release-lock` does, while the operation runs) records
// neither progress nor state afterwards: the run that takes over has its
// own, and the newest row would win.
func TestARunThatLostItsLeaseRecordsNothing(t *testing.T) {
	srv, other, code, f := seededPlan(t)
	ctx := context.Background()
	_, err := migrate.Run(ctx, srv.Client, code, f, migrate.Options{SQL: func(sql string) {
		if strings.HasPrefix(sql, "INSERT INTO local.Events") {
			st, err := migrate.NewStore(ctx, other)
			if err != nil {
				t.Error(err)
				return
			}
			if _, _, err := st.ReleaseLock(ctx); err != nil {
				t.Error(err)
			}
		}
	}})
	if err == nil || !strings.Contains(err.Error(), "applied, but not recorded") {
		t.Fatalf("a run that lost its lease: %v, want it to stop without recording", err)
	}
	st, err := migrate.NewStore(ctx, other)
	if err != nil {
		t.Fatal(err)
	}
	if m, err := st.LoadMap(ctx); err != nil || m != nil && len(m.Tables) > 0 {
		t.Fatalf("the state was stored by a run without the lease: %v %v", m, err)
	}
}
