package migrate_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/moose-dev/moose-dev/chdb"
	"github.com/moose-dev/moose-dev/clickhouse"
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
	if err := st.Lock(ctx, "a-new-plan", time.Now()); err != nil {
		t.Errorf("an aborted migration kept the lock: %v", err)
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
	if err == nil || !strings.Contains(err.Error(), "operation 2 of 3 failed") || !strings.Contains(err.Error(), "Not applied (2)") {
		t.Fatalf("first run: %v", err)
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

func TestLockHeldByAnotherPlanRefuses(t *testing.T) {
	srv := chtest.Start(t, "local")
	ctx := context.Background()
	st, err := migrate.NewStore(ctx, srv.Client)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	if err := st.Lock(ctx, "plan-a", now); err != nil {
		t.Fatal(err)
	}
	if err := st.Lock(ctx, "plan-b", now); err == nil {
		t.Fatal("a second plan took a held lock")
	}
	if err := st.Lock(ctx, "plan-a", now); err != nil {
		t.Fatalf("the same plan could not take its lock over (resume): %v", err)
	}
	if err := st.Lock(ctx, "plan-b", now.Add(migrate.LockTimeout+1)); err != nil {
		t.Fatalf("an expired lock still refuses: %v", err)
	}
	if err := st.Unlock(ctx); err != nil {
		t.Fatal(err)
	}
	if err := st.Lock(ctx, "plan-c", now); err != nil {
		t.Fatalf("a released lock still refuses: %v", err)
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
