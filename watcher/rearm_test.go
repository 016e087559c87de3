package watcher

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// After Rearm (a failed reload), saving the same content or touching the
// file is a batch; once delivered, same-content saves are skipped again.
func TestRearmMakesTheNextSameContentSaveOrTouchABatch(t *testing.T) {
	w, dir := start(t, Options{})
	main := filepath.Join(dir, "main.py")
	w.Rearm()
	now := time.Now()
	if err := os.Chtimes(main, now, now); err != nil { // a touch: metadata only
		t.Fatal(err)
	}
	if b := next(w, 5*time.Second); len(b) != 1 || b[0] != main {
		t.Fatalf("a touch after Rearm: batch = %v", b)
	}
	write(t, main, "x = 1\n") // same content, no longer re-armed
	if b := next(w, 300*time.Millisecond); b != nil {
		t.Fatalf("a no-op save after the batch must not reload, got %v", b)
	}
	w.Rearm()
	write(t, main, "x = 1\n")
	if b := next(w, 5*time.Second); len(b) != 1 {
		t.Fatalf("a same-content save after Rearm: batch = %v", b)
	}
}
