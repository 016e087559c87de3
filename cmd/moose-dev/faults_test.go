package main

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/moose-dev/moose-dev/chdb"
	"github.com/moose-dev/moose-dev/internal/chtest"
	"github.com/moose-dev/moose-dev/internal/portowner"
)

// enginePID is the embedded ClickHouse of a running daemon.
func (p *devProject) enginePID() int {
	p.t.Helper()
	pid := chdb.EnginePID(filepath.Join(p.dir, ".moose", "clickhouse"))
	if pid == 0 {
		p.t.Fatal("no engine holds the project's data directory")
	}
	return pid
}

// kill9 kills the daemon as a crash or `kill -9` would, and leaves its
// exit uncollected for now (a zombie), as a parent that has not looked yet.
func (p *devProject) kill9() {
	p.t.Helper()
	old := p.cmd
	if err := old.Process.Signal(syscall.SIGKILL); err != nil {
		p.t.Fatal(err)
	}
	p.t.Cleanup(func() { old.Wait() })
}

func waitNotRunning(t *testing.T, pid int, what string) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); portowner.Running(pid); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%s (PID %d) still runs", what, pid)
		}
	}
}

// After kill -9 of the daemon its engine dies with it (the kernel's
// parent-death signal), and a restart right away works and has the rows:
// neither the killed daemon's pid file nor its engine stands in the way.
func TestKillNineOfTheDaemonTakesItsEngineAndAnImmediateRestartKeepsTheRows(t *testing.T) {
	chtest.RequireEngine(t)
	p := newDevProject(t)
	p.start()
	p.query("INSERT INTO local.PageView (id, url, duration_ms) VALUES ('a', '/', 1)")
	engine := p.enginePID()
	p.kill9()
	waitNotRunning(t, engine, "the engine of a daemon killed with SIGKILL")

	p.restart()
	if got := p.query("SELECT id FROM local.PageView ORDER BY id FORMAT CSV"); got != "\"a\"\n" {
		t.Fatalf("rows after the restart: %q\n%s", got, p.out.String())
	}
	// and once more with no pause at all between the kill and the restart
	p.query("INSERT INTO local.PageView (id, url, duration_ms) VALUES ('b', '/', 2)")
	engine = p.enginePID()
	p.kill9()
	p.restart()
	if got := p.query("SELECT id FROM local.PageView ORDER BY id FORMAT CSV"); got != "\"a\"\n\"b\"\n" {
		t.Fatalf("rows after the second restart: %q\n%s", got, p.out.String())
	}
	if portowner.Running(engine) {
		t.Fatalf("the killed daemon's engine (PID %d) still runs beside the new one", engine)
	}
}

// An engine still busy when its daemon was killed (here: stopped, so that
// it cannot act on the parent-death signal yet) is found by the restart,
// proven ours, ended and said so; the restart then runs on the same data.
func TestARestartEndsTheEngineAKilledDaemonLeftRunning(t *testing.T) {
	chtest.RequireEngine(t)
	p := newDevProject(t)
	p.start()
	p.query("INSERT INTO local.PageView (id, url, duration_ms) VALUES ('kept', '/', 1)")
	engine := p.enginePID()
	if err := syscall.Kill(engine, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Kill(engine, syscall.SIGKILL) })
	p.kill9()

	p.restart()
	want := fmt.Sprintf("        Stopped the embedded ClickHouse (PID %d) an earlier moose-dev left running on %s: SIGTERM ended it",
		engine, filepath.Join(p.dir, ".moose", "clickhouse"))
	if !strings.Contains(p.out.String(), want+"\n") {
		t.Fatalf("the restart must say it ended the orphan:\n%s", p.out.String())
	}
	if portowner.Running(engine) {
		t.Fatalf("the orphan (PID %d) still runs", engine)
	}
	if got := p.query("SELECT id FROM local.PageView FORMAT CSV"); got != "\"kept\"\n" {
		t.Fatalf("rows after the restart: %q", got)
	}
}

// A corrupt .moose/state.json does not stop the daemon: it is moved aside,
// said, the state rebuilt from ClickHouse (nothing recreated, the rows
// kept), and later saves apply.
func TestACorruptStateFileDoesNotStopTheDaemon(t *testing.T) {
	chtest.RequireEngine(t)
	p := newDevProject(t)
	p.start()
	p.query("INSERT INTO local.PageView (id, url, duration_ms) VALUES ('kept', '/', 1)")
	p.cmd.Process.Signal(syscall.SIGINT)
	p.cmd.Wait()
	state := filepath.Join(p.dir, ".moose", "state.json")
	data, err := os.ReadFile(state)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(state, data[:len(data)/3], 0o644); err != nil {
		t.Fatal(err)
	}

	p.restart()
	out := p.out.String()
	if !strings.Contains(out, "the state file could not be read") || !strings.Contains(out, state+".corrupt-") {
		t.Fatalf("the daemon must say the state file was moved aside, and where:\n%s", out)
	}
	if strings.Contains(out, "Table: PageView") || strings.Contains(out, "Topic: PageView") {
		t.Fatalf("rebuilding the state must adopt what exists:\n%s", out)
	}
	if got := p.query("SELECT id FROM local.PageView FORMAT CSV"); got != "\"kept\"\n" {
		t.Fatalf("rows after the rebuild: %q", got)
	}
	p.edit("models.py", "    duration_ms: int\n", "    duration_ms: int\n    country: str\n")
	p.waitOutput("✓ Infrastructure changes processed successfully", 1)
	if !strings.Contains(p.columns("PageView"), "\"country\",\"String\"") {
		t.Fatalf("a save after the rebuild was not applied:\n%s", p.out.String())
	}
	if got := p.query("SELECT id FROM local.PageView FORMAT CSV"); got != "\"kept\"\n" {
		t.Fatalf("rows after the save: %q", got)
	}
}

// A taken native port is a warning that reads as a sentence under its
// label, and the engine serves HTTP.
func TestATakenNativePortIsAWarningAndHTTPServes(t *testing.T) {
	chtest.RequireEngine(t)
	p := newDevProject(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	cfg := filepath.Join(p.dir, "moose.config.toml")
	data := strings.Replace(readFile(t, cfg), "[clickhouse_config]\n", fmt.Sprintf("[clickhouse_config]\nnative_port = %d\n", port), 1)
	if err := os.WriteFile(cfg, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	p.start()
	want := fmt.Sprintf("         Native protocol not served: port %d is taken by PID %d (", port, os.Getpid())
	if !strings.Contains(p.out.String(), want) || !strings.Contains(p.out.String(), "); HTTP is unaffected\n") {
		t.Fatalf("output lacks %q:\n%s", want, p.out.String())
	}
	if got := p.query("SELECT 1"); got != "1\n" {
		t.Fatalf("HTTP: %q", got)
	}
}

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
