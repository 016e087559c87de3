package watcher

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
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

func TestABurstOfSavesIsOneBatch(t *testing.T) {
	w, dir := start(t, Options{})
	for i := 0; i < 200; i++ {
		write(t, filepath.Join(dir, fmt.Sprintf("m%03d.py", i)), fmt.Sprintf("v = %d\n", i))
	}
	b := next(w, 5*time.Second)
	// the burst may be split only if the machine stalls longer than the
	// quiet period; collect what follows at once
	for more := next(w, 300*time.Millisecond); more != nil; more = next(w, 300*time.Millisecond) {
		b = append(b, more...)
		t.Logf("burst arrived in more than one batch")
	}
	if len(b) != 200 {
		t.Fatalf("want 200 files, got %d", len(b))
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
	} {
		if got := matchGlob(tc.pattern, tc.path); got != tc.want {
			t.Errorf("matchGlob(%q, %q) = %v, want %v", tc.pattern, tc.path, got, tc.want)
		}
	}
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
