package templates

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// Each template and its example (python: examples/quickstart, typescript:
// examples/quickstart-ts) are one project: the README
// runs the example, `moose-dev init` writes the template. The example is
// the one git tracks: following the README edits it, runs the daemon in it
// (.moose/) and saves migrations there (migrations/), none of which may
// fail this test. A template file passes when it equals the example's file
// as git has it (the index) or as it is on disk (both edited together, not
// yet staged); in a fresh checkout, as CI runs, those are the same.
func TestTemplatesAreTheQuickstartExamples(t *testing.T) {
	for tmpl, example := range map[string]string{"python": "quickstart", "typescript": "quickstart-ts"} {
		t.Run(tmpl, func(t *testing.T) { templateIsExample(t, tmpl, filepath.Join("..", "examples", example)) })
	}
}

func templateIsExample(t *testing.T, name, example string) {
	src, err := FS(name)
	if err != nil {
		t.Fatal(err)
	}
	tracked := trackedFiles(t, example)
	seen := map[string]bool{}
	err = fs.WalkDir(src, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		seen[path] = true
		want, err := fs.ReadFile(src, path)
		if err != nil {
			return err
		}
		committed, ok := tracked[path]
		if !ok {
			t.Errorf("%s is in templates/%s but not in %s", path, name, example)
			return nil
		}
		onDisk, _ := os.ReadFile(filepath.Join(example, filepath.FromSlash(path)))
		if !bytes.Equal(committed, want) && !bytes.Equal(onDisk, want) {
			t.Errorf("%s differs between templates/%s and %s", path, name, example)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) == 0 {
		t.Fatalf("the %s template has no files", name)
	}
	for path := range tracked {
		if !seen[path] {
			t.Errorf("%s is in %s but not in the template", path, example)
		}
	}
}

// trackedFiles reads the files of dir that git tracks, from the index,
// keyed by their slash path under dir. Outside a git work tree (a source
// archive) it reads the directory itself, but for .moose/.
func trackedFiles(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	list, err := exec.Command("git", "-C", dir, "ls-files", "-z", "--full-name", ".").Output()
	if err != nil {
		t.Logf("not reading the example from git (%v): reading the working copy", err)
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if d.Name() == ".moose" {
					return filepath.SkipDir
				}
				return nil
			}
			rel, _ := filepath.Rel(dir, path)
			data, err := os.ReadFile(path)
			out[filepath.ToSlash(rel)] = data
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	prefix, err := exec.Command("git", "-C", dir, "rev-parse", "--show-prefix").Output()
	if err != nil {
		t.Fatal(err)
	}
	base := strings.TrimSpace(string(prefix))
	for _, full := range strings.Split(strings.TrimRight(string(list), "\x00"), "\x00") {
		if full == "" {
			continue
		}
		data, err := exec.Command("git", "-C", dir, "show", ":"+full).Output()
		if err != nil {
			t.Fatalf("git show :%s: %v", full, err)
		}
		out[strings.TrimPrefix(full, base)] = data
	}
	return out
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

// `moose-dev init` writes upstream's .gitignore with each template, so the
// new project's local database (.moose/) is never committed.
func TestWriteIgnoresTheLocalDatabase(t *testing.T) {
	for _, name := range Names() {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			if err := Write(name, dir); err != nil {
				t.Fatal(err)
			}
			data, err := os.ReadFile(filepath.Join(dir, ".gitignore"))
			if err != nil {
				t.Fatalf("init wrote no .gitignore: %v", err)
			}
			lines := strings.Split(string(data), "\n")
			if !slices.Contains(lines, ".moose") {
				t.Fatalf(".gitignore does not ignore .moose:\n%s", data)
			}
			if _, err := exec.LookPath("git"); err != nil {
				t.Skip("no git to ask what it ignores")
			}
			if out, err := exec.Command("git", "-C", dir, "init", "-q").CombinedOutput(); err != nil {
				t.Skipf("git init: %v\n%s", err, out)
			}
			for _, p := range []string{".moose/", ".moose/dev.log", "app/main.py", "app/index.ts", "moose.config.toml", ".gitignore"} {
				err := exec.Command("git", "-C", dir, "check-ignore", "-q", "--no-index", p).Run()
				ignored := err == nil
				if want := strings.HasPrefix(p, ".moose"); ignored != want {
					t.Errorf("git check-ignore %s: ignored=%v, want %v", p, ignored, want)
				}
			}
		})
	}
}
