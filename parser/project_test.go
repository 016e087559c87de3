package parser

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/moose-dev/moose-dev/infra"
	"golang.org/x/tools/txtar"
)

var update = flag.Bool("update", false, "rewrite want.json / want.err in the fixtures")

// TestProjects loads every fixture under testdata/projects: the archive's
// files form a project; want.json is the expected infrastructure map and
// want.err the expected error.
func TestProjects(t *testing.T) {
	files, err := filepath.Glob("testdata/projects/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatal("no fixtures", err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			ar, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			root := t.TempDir()
			var want []byte
			wantName := ""
			for _, f := range ar.Files {
				if f.Name == "want.json" || f.Name == "want.err" {
					want, wantName = f.Data, f.Name
					continue
				}
				p := filepath.Join(root, f.Name)
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, f.Data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			res, err := NewLoader(root, "app", "Python").Load("local")
			var got []byte
			gotName := "want.json"
			if err != nil {
				got, gotName = []byte(err.Error()+"\n"), "want.err"
			} else {
				if got, err = infra.MarshalSorted(res.Map); err != nil {
					t.Fatal(err)
				}
			}
			if *update {
				for i := range ar.Files {
					if ar.Files[i].Name == wantName {
						ar.Files[i] = txtar.File{Name: gotName, Data: got}
					}
				}
				if err := os.WriteFile(file, txtar.Format(ar), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if gotName != wantName || string(got) != string(want) {
				t.Fatalf("%s: got %s:\n%s\nwant %s:\n%s", file, gotName, got, wantName, want)
			}
		})
	}
}

func TestUnloadedFilesAreReported(t *testing.T) {
	ar, err := txtar.ParseFile("testdata/projects/imports.txtar")
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	for _, f := range ar.Files {
		if strings.HasPrefix(f.Name, "app/") {
			p := filepath.Join(root, f.Name)
			os.MkdirAll(filepath.Dir(p), 0o755)
			os.WriteFile(p, f.Data, 0o644)
		}
	}
	res, err := NewLoader(root, "app", "Python").Load("local")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(res.Unloaded, ",") != "app/unused.py" {
		t.Fatalf("unloaded = %v", res.Unloaded)
	}
}

func TestLoaderReparsesOnlyChangedFiles(t *testing.T) {
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "app"), 0o755)
	os.WriteFile(filepath.Join(root, "app/main.py"), []byte("from app.m import x\n"), 0o644)
	os.WriteFile(filepath.Join(root, "app/m.py"), []byte("x = 1\n"), 0o644)
	l := NewLoader(root, "app", "Python")
	if _, err := l.Load("local"); err != nil {
		t.Fatal(err)
	}
	before := l.cache["app/m.py"].mod
	os.WriteFile(filepath.Join(root, "app/main.py"), []byte("from app.m import x\ny = 2\n"), 0o644)
	if _, err := l.Load("local"); err != nil {
		t.Fatal(err)
	}
	if l.cache["app/m.py"].mod != before {
		t.Fatal("an unchanged file was parsed again")
	}
}

func writeProject(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for name, data := range files {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
