package devloop_test

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/moose-dev/moose-dev/infra"
	"github.com/moose-dev/moose-dev/project"
)

// copyDir copies a project, leaving any .moose/ behind.
func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		if d.IsDir() && d.Name() == ".moose" {
			return filepath.SkipDir
		}
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// liveObjects lists `name engine` of everything in the database.
func (f *fixture) liveObjects() []string {
	rows, err := f.srv.Client.Query(context.Background(), "SELECT name, engine FROM system.tables WHERE database = 'local' ORDER BY name")
	if err != nil {
		f.t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n, e string
		rows.Scan(&n, &e)
		out = append(out, n+" "+e)
	}
	return out
}

func TestEveryExampleAppliesThroughTheDevLoop(t *testing.T) {
	dirs, _ := filepath.Glob("../examples/*")
	if len(dirs) < 4 {
		t.Fatalf("examples: %v", dirs)
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			f := newFixture(t)
			copyDir(t, dir, f.proj.Root)
			proj, err := project.Load(f.proj.Root)
			if err != nil {
				t.Fatal(err)
			}
			f.proj = proj
			f.loop = f.newLoop()
			if _, err := f.loop.Reload(context.Background(), false); err != nil {
				t.Fatalf("%v\n%s", err, f.out.String())
			}
			var want []string
			st := f.loop.State()
			for _, tbl := range st.Tables {
				if tbl.LifeCycle != infra.ExternallyManaged {
					want = append(want, tbl.Name)
				}
			}
			for name := range st.MaterializedViews {
				want = append(want, name)
			}
			for name := range st.Views {
				want = append(want, name)
			}
			sort.Strings(want)
			var got []string
			for _, o := range f.liveObjects() {
				got = append(got, strings.Fields(o)[0])
			}
			if strings.Join(got, ",") != strings.Join(want, ",") {
				t.Fatalf("live objects %v, want %v\n%s", f.liveObjects(), want, f.out.String())
			}
			// a second reload finds nothing to do
			f.out.Reset()
			if _, err := f.loop.Reload(context.Background(), false); err != nil {
				t.Fatal(err)
			}
			if strings.ContainsAny(f.out.String(), "+-~") {
				t.Fatalf("a second reload changed things:\n%s", f.out.String())
			}
			// and so does a restart, which reads the state file back
			f.loop = f.newLoop()
			f.out.Reset()
			if _, err := f.loop.Reload(context.Background(), false); err != nil {
				t.Fatal(err)
			}
			for _, line := range strings.Split(f.out.String(), "\n") {
				// blocked changes are shown again after a restart; nothing else may be
				if strings.ContainsAny(line, "+-~") && !strings.Contains(line, "(protected)") && !strings.Contains(line, "⚠") {
					t.Fatalf("a restart changed things:\n%s", f.out.String())
				}
			}
		})
	}
}

func TestDeletionProtectedTableSurvivesItsRemovalFromCode(t *testing.T) {
	f := newFixture(t)
	copyDir(t, "../examples/lifecycles", f.proj.Root)
	ctx := context.Background()
	if _, err := f.loop.Reload(ctx, false); err != nil {
		t.Fatal(err, f.out.String())
	}
	main := filepath.Join(f.proj.AppDir(), "main.py")
	src, _ := os.ReadFile(main)
	cut := strings.Index(string(src), "orders = IngestPipeline")
	end := strings.Index(string(src), "legacy_orders = ")
	os.WriteFile(main, []byte(string(src[:cut])+string(src[end:])), 0o644)
	f.out.Reset()
	if _, err := f.loop.Reload(ctx, true); err != nil {
		t.Fatal(err, f.out.String())
	}
	if !strings.Contains(f.out.String(), "Table: orders (protected)") || !strings.Contains(f.out.String(), "DeletionProtected lifecycle - removal blocked") {
		t.Fatalf("output:\n%s", f.out.String())
	}
	if len(f.columns("orders")) == 0 {
		t.Fatal("a DELETION_PROTECTED table was dropped")
	}
	if len(f.columns("legacy_orders")) != 0 {
		t.Fatal("an EXTERNALLY_MANAGED table was created")
	}
}

func TestANewMaterializedViewIsBackfilledInDev(t *testing.T) {
	f := newFixture(t)
	copyDir(t, "../examples/pipeline-mv", f.proj.Root)
	ctx := context.Background()
	rollups := filepath.Join(f.proj.AppDir(), "rollups.py")
	src, _ := os.ReadFile(rollups)
	os.WriteFile(rollups, []byte("from app.ingest import events\n"), 0o644) // no view yet
	if _, err := f.loop.Reload(ctx, false); err != nil {
		t.Fatal(err, f.out.String())
	}
	if err := f.srv.Client.Exec(ctx, "INSERT INTO local.Event VALUES ('e1', 'u', 'click', now(), 3), ('e2', 'u', 'view', now(), 4)"); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(rollups, src, 0o644)
	if _, err := f.loop.Reload(ctx, true); err != nil {
		t.Fatal(err, f.out.String())
	}
	if n := countRows(t, f, "DailyKinds"); n != 2 {
		t.Fatalf("DailyKinds holds %d rows after the view was added, want the 2 kinds already in Event\n%s", n, f.out.String())
	}
}
