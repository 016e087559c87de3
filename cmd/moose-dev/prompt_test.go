package main

import (
	"io"
	"strings"
	"testing"
	"time"

	"github.com/moose-dev/moose-dev/devloop"
)

func waitFor(t *testing.T, cond func() bool, what string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestAQuestionIsAskedOnceAndNeverBlocks(t *testing.T) {
	r, w := io.Pipe()
	out := &syncBuffer{}
	p := startPrompter(r, out)
	waiting := p.waiting(map[string]bool{devloop.RenameQuestion: true})
	drop := []string{"drop column x of table T and their data"}
	if !waiting(devloop.DestructiveQuestion, drop) || p.confirmed(drop) {
		t.Fatal("an unanswered change is waiting and not confirmed")
	}
	waitFor(t, func() bool { return strings.Contains(out.String(), "Apply? [y/N]") }, "the question")
	if !waiting(devloop.DestructiveQuestion, drop) {
		t.Fatal("still waiting while the question is open")
	}
	if n := strings.Count(out.String(), "Apply?"); n != 1 {
		t.Fatalf("asked %d times, want once:\n%s", n, out.String())
	}
	if waiting(devloop.RenameQuestion, []string{"rename column T.a to b"}) {
		t.Fatal("a question a flag answers is never waited for")
	}
	w.Write([]byte("y\n"))
	select {
	case <-p.answered:
	case <-time.After(10 * time.Second):
		t.Fatal("no signal after the answer")
	}
	if waiting(devloop.DestructiveQuestion, drop) || !p.confirmed(drop) {
		t.Fatal("answered yes: not waiting, confirmed")
	}
	// a yes is used once: the same change met again is asked about again
	if p.confirmed(drop) || !waiting(devloop.DestructiveQuestion, drop) {
		t.Fatal("a used yes must not confirm the same change again")
	}
	waitFor(t, func() bool { return strings.Count(out.String(), "Apply?") == 2 }, "the question asked again")
	w.Write([]byte("y\n"))
	<-p.answered
	if !p.confirmed(drop) {
		t.Fatal("answered yes again")
	}
	// a line typed while no question is open answers nothing
	w.Write([]byte("y\n"))
	waitFor(t, func() bool { p.mu.Lock(); defer p.mu.Unlock(); return p.ignored == 1 }, "the typed-ahead line to be read")
	// a new change is a new question; no is remembered as no
	more := []string{"drop table U and all its rows"}
	if !waiting(devloop.DestructiveQuestion, more) {
		t.Fatal("a new change waits")
	}
	waitFor(t, func() bool { return strings.Count(out.String(), "Apply?") == 3 }, "the third question")
	select {
	case <-p.answered:
		t.Fatal("the typed-ahead line answered the new question")
	default:
	}
	if strings.Contains(out.String()[strings.LastIndex(out.String(), "lose data"):], "drop column x") {
		t.Fatalf("an answered change is not asked again:\n%s", out.String())
	}
	w.Write([]byte("n\n"))
	<-p.answered
	if waiting(devloop.DestructiveQuestion, more) || p.confirmed(more) {
		t.Fatal("answered no: not waiting, not confirmed")
	}
}
