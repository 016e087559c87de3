package main

import (
	"debug/buildinfo"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/moose-dev/moose-dev/chdb"
)

func TestFormatVersion(t *testing.T) {
	stamped := &debug.BuildInfo{
		Main: debug.Module{Path: "github.com/moose-dev/moose-dev", Version: "v0.0.0-20261202100000-abc123456789+dirty"},
		Settings: []debug.BuildSetting{
			{Key: "vcs", Value: "git"},
			{Key: "vcs.revision", Value: "abc1234567890def1234567890abcdef12345678"},
			{Key: "vcs.time", Value: "2026-12-02T10:00:00Z"},
			{Key: "vcs.modified", Value: "true"},
		},
	}
	clean := &debug.BuildInfo{
		Main:     debug.Module{Version: "v0.0.0-20261202100000-abc123456789"},
		Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "abc1234567890def"}, {Key: "vcs.time", Value: "2026-12-02T10:00:00Z"}, {Key: "vcs.modified", Value: "false"}},
	}
	for _, c := range []struct {
		name, override string
		info           *debug.BuildInfo
		first          string
	}{
		{"stamped", "", stamped, "moose-dev v0.0.0-20261202100000-abc123456789+dirty (revision abc123456789, 2026-12-02T10:00:00Z, modified)"},
		{"clean", "", clean, "moose-dev v0.0.0-20261202100000-abc123456789 (revision abc123456789, 2026-12-02T10:00:00Z)"},
		{"devel", "", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, "moose-dev (devel)"},
		{"no build info", "", nil, "moose-dev (devel)"},
		{"ldflags", "v1.2.3", clean, "moose-dev v1.2.3 (revision abc123456789, 2026-12-02T10:00:00Z)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := formatVersion(c.info, c.override, "26.7.3-stable.1", "go1.26.8 (linux/amd64)")
			want := c.first + "\nembedded ClickHouse: chDB 26.7.3-stable.1\nbuilt with go1.26.8 (linux/amd64)\n"
			if got != want {
				t.Errorf("got\n%s\nwant\n%s", got, want)
			}
		})
	}
}

// `moose-dev version` and `moose-dev --version` print the same text: the
// module version and revision the toolchain stamped into the binary (read
// back here with debug/buildinfo), the embedded engine and the Go version.
func TestVersionCommandAndFlag(t *testing.T) {
	bin := moosedevBinary(t)
	info, err := buildinfo.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	rev := ""
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" {
			rev = s.Value[:min(12, len(s.Value))]
		}
	}
	if rev == "" {
		// A linked git worktree, a source archive or -buildvcs=false:
		// the toolchain recorded no revision, so none may be printed.
		t.Log("the test binary has no vcs.revision; checking that none is printed")
	}
	var first string
	for _, args := range [][]string{{"version"}, {"--version"}} {
		out, err := exec.Command(bin, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("moose-dev %s: %v\n%s", args[0], err, out)
		}
		text := string(out)
		if first == "" {
			first = text
		} else if text != first {
			t.Errorf("moose-dev --version printed\n%s\nmoose-dev version printed\n%s", text, first)
		}
		lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
		if len(lines) != 3 {
			t.Fatalf("moose-dev %s: want 3 lines, got\n%s", args[0], text)
		}
		if want := "moose-dev " + info.Main.Version; !strings.HasPrefix(lines[0], want) {
			t.Errorf("moose-dev %s: first line %q does not start with %q", args[0], lines[0], want)
		}
		if rev != "" && !strings.Contains(lines[0], " (revision "+rev) {
			t.Errorf("moose-dev %s: first line %q lacks the revision %s", args[0], lines[0], rev)
		}
		if rev == "" && strings.Contains(lines[0], "revision") {
			t.Errorf("moose-dev %s: first line %q names a revision the binary does not have", args[0], lines[0])
		}
		if want := "embedded ClickHouse: chDB " + chdb.Version; lines[1] != want {
			t.Errorf("moose-dev %s: engine line %q, want %q", args[0], lines[1], want)
		}
		if want := "built with " + info.GoVersion + " ("; !strings.HasPrefix(lines[2], want) {
			t.Errorf("moose-dev %s: Go line %q, want it to start %q", args[0], lines[2], want)
		}
	}
}

// `moose-dev init` writes a .gitignore that leaves out .moose/.
func TestInitWritesGitignore(t *testing.T) {
	bin := moosedevBinary(t)
	for _, tmpl := range []string{"python", "typescript"} {
		t.Run(tmpl, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "proj")
			out, err := exec.Command(bin, "init", dir, "--template", tmpl).CombinedOutput()
			if err != nil {
				t.Fatalf("moose-dev init: %v\n%s", err, out)
			}
			data, err := os.ReadFile(filepath.Join(dir, ".gitignore"))
			if err != nil {
				t.Fatalf("init wrote no .gitignore: %v", err)
			}
			found := false
			for _, line := range strings.Split(string(data), "\n") {
				found = found || line == ".moose"
			}
			if !found {
				t.Errorf(".gitignore does not ignore .moose:\n%s", data)
			}
		})
	}
}
