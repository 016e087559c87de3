package watcher

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"
)

func start(t *testing.T, opts Options) (*Watcher, string) {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.py"), []byte("x = 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	w, err := New(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w, dir
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// next waits for a batch; none within the wait is reported as nil.
func next(w *Watcher, wait time.Duration) []string {
	select {
	case b := <-w.Batches():
		return b
	case <-time.After(wait):
		return nil
	}
}

func TestASaveDeliversTheFile(t *testing.T) {
	w, dir := start(t, Options{})
	write(t, filepath.Join(dir, "main.py"), "x = 2\n")
	if b := next(w, 5*time.Second); len(b) != 1 || b[0] != filepath.Join(dir, "main.py") {
		t.Fatalf("batch = %v", b)
	}
}

func TestASaveWithUnchangedContentIsSkipped(t *testing.T) {
	w, dir := start(t, Options{})
	write(t, filepath.Join(dir, "main.py"), "x = 1\n")
	if b := next(w, 300*time.Millisecond); b != nil {
		t.Fatalf("a no-op save must not reload, got %v", b)
	}
}

func TestNewDirectoriesAreWatchedAndTheirFilesReported(t *testing.T) {
	w, dir := start(t, Options{})
	sub := filepath.Join(dir, "pkg", "deep")
	write(t, filepath.Join(sub, "models.py"), "y = 1\n")
	got := map[string]bool{}
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline) && !got[filepath.Join(sub, "models.py")]; {
		for _, p := range next(w, time.Second) {
			got[p] = true
		}
	}
	if !got[filepath.Join(sub, "models.py")] {
		t.Fatalf("file in a new directory not reported: %v", got)
	}
	// and later edits inside it are seen
	write(t, filepath.Join(sub, "models.py"), "y = 2\n")
	if b := next(w, 5*time.Second); len(b) != 1 {
		t.Fatalf("edit in new directory: batch = %v", b)
	}
}

func TestIgnoredTempAndOtherFilesDoNotReload(t *testing.T) {
	w, dir := start(t, Options{Ignore: []string{"generated/**", "*_gen.py"}})
	write(t, filepath.Join(dir, "notes.txt"), "hi")
	write(t, filepath.Join(dir, ".#main.py"), "lock")
	write(t, filepath.Join(dir, "main.py~"), "backup")
	write(t, filepath.Join(dir, "x_gen.py"), "z = 1")
	write(t, filepath.Join(dir, "generated", "a.py"), "z = 1")
	if b := next(w, 400*time.Millisecond); b != nil {
		t.Fatalf("want no reload, got %v", b)
	}
}

// Saves that follow each other within the quiet period are one batch: the
// first batch holds all of them and none follows it within the watcher's
// quiet period twice over.
func TestABurstOfSavesIsOneBatch(t *testing.T) {
	const quiet = 300 * time.Millisecond
	w, dir := start(t, Options{Debounce: quiet})
	for i := 0; i < 200; i++ {
		write(t, filepath.Join(dir, fmt.Sprintf("m%03d.py", i)), fmt.Sprintf("v = %d\n", i))
	}
	b := next(w, 10*time.Second)
	if len(b) != 200 {
		t.Fatalf("the first batch has %d files, want all 200", len(b))
	}
	if more := next(w, 2*quiet); more != nil {
		t.Fatalf("a second batch of %d files followed the burst: %v", len(more), more)
	}
}

func TestSavesDuringABusyConsumerCoalesceIntoOneBatch(t *testing.T) {
	w, dir := start(t, Options{})
	write(t, filepath.Join(dir, "main.py"), "x = 2\n")
	time.Sleep(300 * time.Millisecond) // the consumer is "busy": nobody reads
	write(t, filepath.Join(dir, "a.py"), "a = 1\n")
	time.Sleep(300 * time.Millisecond)
	write(t, filepath.Join(dir, "b.py"), "b = 1\n")
	time.Sleep(300 * time.Millisecond)
	b := next(w, 5*time.Second)
	if len(b) != 3 {
		t.Fatalf("want one batch of 3 files, got %v", b)
	}
	if more := next(w, 300*time.Millisecond); more != nil {
		t.Fatalf("want no second batch, got %v", more)
	}
}

func TestARemovedFileIsReported(t *testing.T) {
	w, dir := start(t, Options{})
	os.Remove(filepath.Join(dir, "main.py"))
	if b := next(w, 5*time.Second); len(b) != 1 {
		t.Fatalf("batch = %v", b)
	}
}

func TestInvalidIgnoreGlobIsAnError(t *testing.T) {
	if _, err := New(t.TempDir(), Options{Ignore: []string{"[bad"}}); err == nil {
		t.Fatal("want an error")
	}
}

func TestMatchGlob(t *testing.T) {
	for _, tc := range []struct {
		pattern, path string
		want          bool
	}{
		{"generated/**", "generated/a.py", true},
		{"generated/**", "generated/x/y.py", true},
		{"generated/**", "other/a.py", false},
		{"**/tmp_*.py", "a/b/tmp_1.py", true},
		{"*_gen.py", "sub/x_gen.py", true},
		{"sub/*.py", "sub/x.py", true},
		{"sub/*.py", "other/x.py", false},
		{"**", "a/b.py", true},
		{"a/**/b/**/c.py", "a/x/b/y/z/c.py", true},
		{"a/**/b/**/c.py", "a/x/c.py", false},
		{"*/**/gen.py", "gen.py", false}, // "*" is one directory (the old matcher let it match none)
		{"*/**/gen.py", "x/y/gen.py", true},
		{"a/**/*", "a", false},          // "*" is one segment (the old matcher matched it to nothing)
		{"src/**.py", "src/m.py", true}, // ** inside a segment is *
		{"src/**.py", "src/a/m.py", false},
	} {
		if got := matchGlob(tc.pattern, tc.path); got != tc.want {
			t.Errorf("matchGlob(%q, %q) = %v, want %v", tc.pattern, tc.path, got, tc.want)
		}
	}
}

// globRegexp is an independent reading of the ignore-glob rules, for
// patterns whose every ** is a whole segment and that use no character
// class or escape: each segment followed by a slash, ** as any number of
// whole segments, matched against the path plus a slash. ok is false for
// patterns it does not cover.
func globRegexp(pattern string) (re *regexp.Regexp, ok bool) {
	if strings.ContainsAny(pattern, "[\\") {
		return nil, false
	}
	var b strings.Builder
	b.WriteString("^")
	for _, seg := range strings.Split(pattern, "/") {
		if seg == "**" {
			b.WriteString("(?:[^/]+/)*")
			continue
		}
		if strings.Contains(seg, "**") {
			return nil, false
		}
		for _, r := range seg {
			switch r {
			case '*':
				b.WriteString("[^/]*")
			case '?':
				b.WriteString("[^/]")
			default:
				b.WriteString(regexp.QuoteMeta(string(r)))
			}
		}
		b.WriteString("/")
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String()), true
}

// FuzzMatchGlob: matching never panics, a pattern without wildcards
// matches the path it spells, and for the patterns globRegexp covers the
// matcher agrees with it (on the base name for a pattern without a slash).
func FuzzMatchGlob(f *testing.F) {
	for _, tc := range [][2]string{{"generated/**", "generated/x/y.py"}, {"**/tmp_*.py", "a/b/tmp_1.py"}, {"*_gen.py", "sub/x_gen.py"},
		{"a/**/b/**/c.py", "a/x/b/y/z/c.py"}, {"*/**/gen.py", "gen.py"}, {"a/**/*", "a"}, {"[a-c]?/*.py", "b1/m.py"}, {"**/**/x", "x"}} {
		f.Add(tc[0], tc[1])
	}
	f.Fuzz(func(t *testing.T, pattern, name string) {
		if checkGlob(pattern) != nil || name == "" || path.Clean(name) != name || path.IsAbs(name) || name == ".." || strings.HasPrefix(name, "../") ||
			!utf8.ValidString(pattern) || !utf8.ValidString(name) {
			return // New refuses the pattern; the watcher only asks about clean relative paths
		}
		got := matchGlob(pattern, name)
		if !strings.ContainsAny(pattern, "*?[\\") && pattern == name && !got {
			t.Fatalf("%q does not match itself", pattern)
		}
		re, ok := globRegexp(pattern)
		if !ok {
			return
		}
		subject := name
		if !strings.Contains(pattern, "/") {
			subject = path.Base(name)
		}
		if want := re.MatchString(subject + "/"); got != want {
			t.Fatalf("matchGlob(%q, %q) = %v, the reference says %v", pattern, name, got, want)
		}
	})
}

func TestPollingWatchesToo(t *testing.T) {
	w, dir := start(t, Options{Poll: true, PollInterval: 50 * time.Millisecond})
	write(t, filepath.Join(dir, "main.py"), "x = 2\n")
	write(t, filepath.Join(dir, "sub", "m.py"), "y = 1\n")
	got := map[string]bool{}
	for deadline := time.Now().Add(5 * time.Second); len(got) < 2 && time.Now().Before(deadline); {
		for _, p := range next(w, time.Second) {
			got[p] = true
		}
	}
	if !got[filepath.Join(dir, "main.py")] || !got[filepath.Join(dir, "sub", "m.py")] {
		t.Fatalf("polling saw %v", got)
	}
	write(t, filepath.Join(dir, "main.py"), "x = 2\n") // same content
	if b := next(w, 300*time.Millisecond); b != nil {
		t.Fatalf("an unchanged save must not reload: %v", b)
	}
	os.Remove(filepath.Join(dir, "sub", "m.py"))
	if b := next(w, 5*time.Second); len(b) != 1 {
		t.Fatalf("removal: %v", b)
	}
}

func TestWatchLimitErrorsAreRecognised(t *testing.T) {
	if !isWatchLimit(fmt.Errorf("watching x: %w", syscall.ENOSPC)) || isWatchLimit(os.ErrNotExist) {
		t.Fatal("ENOSPC is the inotify watch limit; other errors are not")
	}
}

// A burst into a new directory (a checkout adding a package) is one batch:
// the files found when the directory appears wait out the quiet period
// with the rest instead of being delivered at once.
func TestABurstIntoANewDirectoryIsOneBatch(t *testing.T) {
	w, dir := start(t, Options{Debounce: 300 * time.Millisecond})
	sub := filepath.Join(dir, "generated")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 200; i++ {
		write(t, filepath.Join(sub, fmt.Sprintf("m%03d.py", i)), fmt.Sprintf("v = %d\n", i))
	}
	b := next(w, 5*time.Second)
	if len(b) != 200 {
		t.Fatalf("first batch has %d files, want all 200", len(b))
	}
	if more := next(w, time.Second); more != nil {
		t.Fatalf("a second batch followed: %v", more)
	}
}
