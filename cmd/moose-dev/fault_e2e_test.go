package main

import (
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"
)

// restart starts the daemon again on the same project and ports, at once.
func (p *devProject) restart() {
	p.t.Helper()
	p.out = &syncBuffer{}
	p.start()
}

func manyTables(n int, extra string) (models, main string) {
	var m, t strings.Builder
	m.WriteString("from moose_lib import Key, OlapConfig, OlapTable\nfrom pydantic import BaseModel\n\n")
	for i := range n {
		fmt.Fprintf(&m, "\nclass T%d(BaseModel):\n    id: Key[str]\n    v: str\n%s\n", i, extra)
		fmt.Fprintf(&t, "t%d = OlapTable[T%d](\"T%d\")\n", i, i, i)
	}
	return m.String(), "from moose_lib import OlapTable\nfrom app.models import *\n\n" + t.String()
}

// Fault: kill -9 in the middle of the first apply of many tables, then an
// immediate restart converges with no manual step.
func TestKill9DuringALargeApplyThenRestartConverges(t *testing.T) {
	p := newDevProject(t)
	models, main := manyTables(150, "")
	p.write("models.py", models)
	p.write("main.py", main)
	p.startNoWait("--infra", "embedded")
	p.waitOutput("Table: T0", 1)
	p.waitQuery("SELECT count() > 5 FROM system.tables WHERE database = 'local' FORMAT CSV", "1")
	p.kill9()
	p.restart()
	p.waitQuery("SELECT count() FROM system.tables WHERE database = 'local' AND name LIKE 'T%' FORMAT CSV", "150")
	if got := p.query("SELECT count() FROM system.tables WHERE database = 'local' AND name LIKE '%moose_recreate%' FORMAT CSV"); strings.TrimSpace(got) != "0" {
		t.Fatalf("leftover tables: %s", got)
	}
}

// Fault: kill -9 while a recreate copies the rows, then an immediate
// restart converges: the new ORDER BY, every row and value kept.
func TestKill9DuringARecreateCopyThenRestartConverges(t *testing.T) {
	p := newDevProject(t)
	p.start()
	p.query("INSERT INTO local.PageView (id, url, referrer, duration_ms) SELECT toString(number), concat('u', toString(number % 97)), NULL, number FROM numbers(3000000)")
	digest := "SELECT count(), sum(cityHash64(id, url, duration_ms)) FROM local.PageView FORMAT CSV"
	want := p.query(digest)
	p.edit("main.py", `order_by_fields=["id"]`, `order_by_fields=["id", "url"]`)
	p.waitOutput("Recreated:", 1)
	time.Sleep(150 * time.Millisecond) // into the copy (it takes seconds at this size)
	p.kill9()                          // the engine goes with it
	p.restart()
	p.waitQuery("SELECT sorting_key FROM system.tables WHERE database = 'local' AND name = 'PageView' FORMAT CSV", "id, url")
	if got := p.query(digest); got != want {
		t.Fatalf("after the restart the table holds %s, want %s\n%s", got, want, p.out.String())
	}
	t.Logf("the restart recreated the table again (the kill came before the swap): %v", strings.Contains(p.out.String(), "Recreated:"))
}

// Fault: the engine child is killed under a running daemon. The daemon
// says so and exits (it cannot apply anything without it); a restart at
// once converges with the rows.
func TestKillingTheEngineStopsTheDaemonAndARestartConverges(t *testing.T) {
	p := newDevProject(t)
	p.start()
	p.query("INSERT INTO local.PageView (id, url, duration_ms) VALUES ('a', '/', 1)")
	if err := syscall.Kill(p.enginePID(), syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- p.cmd.Wait() }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(p.out.String(), "the embedded ClickHouse stopped unexpectedly") {
			t.Fatalf("the daemon must fail saying why, got %v:\n%s", err, p.out.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("the daemon did not notice its engine died:\n%s", p.out.String())
	}
	p.edit("models.py", "    duration_ms: int\n", "    duration_ms: int\n    late: str\n") // saved while nothing runs
	p.restart()
	if got := p.query("SELECT id FROM local.PageView FORMAT CSV"); got != "\"a\"\n" {
		t.Fatalf("rows after the restart: %q", got)
	}
	p.waitQuery("SELECT name FROM system.columns WHERE database = 'local' AND table = 'PageView' AND name = 'late' FORMAT CSV", "late")
}
