package templates

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// The python template and examples/quickstart are one project: the README
// runs the example, `moose-dev init` writes the template.
func TestPythonTemplateIsTheQuickstartExample(t *testing.T) {
	src, err := FS("python")
	if err != nil {
		t.Fatal(err)
	}
	example := filepath.Join("..", "examples", "quickstart")
	seen := map[string]bool{}
	fs.WalkDir(src, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		seen[path] = true
		want, _ := fs.ReadFile(src, path)
		got, err := os.ReadFile(filepath.Join(example, path))
		if err != nil || string(got) != string(want) {
			t.Errorf("%s differs between templates/python and examples/quickstart", path)
		}
		return nil
	})
	filepath.WalkDir(example, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			if d != nil && d.IsDir() && d.Name() == ".moose" {
				return filepath.SkipDir
			}
			return err
		}
		rel, _ := filepath.Rel(example, path)
		if !seen[filepath.ToSlash(rel)] {
			t.Errorf("%s is in examples/quickstart but not in the template", rel)
		}
		return nil
	})
}

func TestWriteRefusesAnExistingProject(t *testing.T) {
	dir := t.TempDir()
	if err := Write("python", dir); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "app", "main.py")); err != nil {
		t.Fatal(err)
	}
	if err := Write("python", dir); err == nil {
		t.Fatal("writing over a project must be refused")
	}
	if _, err := FS("rust"); err == nil {
		t.Fatal("unknown template must be an error")
	}
}
