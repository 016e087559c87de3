package chdb_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/moose-dev/moose-dev/chdb"
	"github.com/moose-dev/moose-dev/internal/chtest"
	"github.com/moose-dev/moose-dev/internal/portowner"
)

// orphan starts a command through a shell that exits at once, so that its
// process is reparented (an orphan, as when its moose-dev was killed), and
// returns its PID. Its output goes to log.
func orphan(t *testing.T, env []string, log string, command ...string) int {
	t.Helper()
	sh := exec.Command("sh", append([]string{"-c", `log=$1; shift; "$@" </dev/null >"$log" 2>&1 & echo $!`, "sh", log}, command...)...)
	sh.Env = env
	out, err := sh.Output()
	if err != nil {
		t.Fatalf("starting the orphan: %v", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(out)))
	if err != nil {
		t.Fatalf("orphan pid %q: %v", out, err)
	}
	t.Cleanup(func() { syscall.Kill(pid, syscall.SIGKILL) })
	return pid
}

func waitGone(t *testing.T, pid int) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); portowner.Running(pid); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("PID %d still runs", pid)
		}
	}
}

func waitAnswers(t *testing.T, addr string) {
	t.Helper()
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if resp, err := http.Get("http://" + addr + "/ping"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no engine answers at %s", addr)
		}
	}
}

func query(t *testing.T, addr, sql string) string {
	t.Helper()
	r := get(t, addr, "query="+url.QueryEscape(sql), basic)
	if r.status != 200 {
		t.Fatalf("%s: %+v", sql, r)
	}
	return r.body
}

// An engine still running on the data directory after its moose-dev is
// gone (here one nobody stops: started without a parent, then orphaned)
// holds the directory and the ports; Start proves it is ours, ends it,
// says so, and starts on the same data.
func TestStartEndsAnOrphanedEngineAndKeepsItsData(t *testing.T) {
	chtest.RequireEngine(t)
	lib, _ := chdb.Check()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "clickhouse")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	port := chtest.FreePort(t)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	pid := orphan(t, chdb.ChildEnvironment(lib, dir, addr, chtest.User, chtest.Password), filepath.Join(dir, "..", "orphan.log"), exe)
	waitAnswers(t, addr)
	query(t, addr, "CREATE TABLE default.kept (x UInt8) ENGINE = MergeTree ORDER BY x")
	query(t, addr, "INSERT INTO default.kept VALUES (1), (2)")

	var told []chdb.Orphan
	p, err := chdb.Start(context.Background(), chdb.Options{Exe: exe, DataDir: dir, Port: port,
		User: chtest.User, Password: chtest.Password, OnOrphan: func(o chdb.Orphan) { told = append(told, o) }})
	if err != nil {
		t.Fatalf("start over an orphaned engine: %v", err)
	}
	defer p.Stop()
	if len(told) != 1 || told[0].PID != pid || told[0].Killed || told[0].DataDir != dir {
		t.Fatalf("told %+v, want the orphan %d ended by SIGTERM", told, pid)
	}
	if msg := told[0].String(); msg != fmt.Sprintf("the embedded ClickHouse (PID %d) an earlier moose-dev left running on %s: SIGTERM ended it", pid, dir) {
		t.Fatalf("message: %s", msg)
	}
	if portowner.Running(pid) {
		t.Fatal("the orphan still runs")
	}
	if got := query(t, p.Addr, "SELECT x FROM default.kept ORDER BY x"); got != "1\n2\n" {
		t.Fatalf("rows: %q", got)
	}
}

// Only a proven engine child of this very data directory is ended; one
// that ignores SIGTERM is killed after the grace period.
func TestOnlyOurOrphanIsEndedAndOneIgnoringSIGTERMIsKilled(t *testing.T) {
	chtest.RequireEngine(t)
	defer func(g time.Duration) { *chdb.OrphanGrace = g }(*chdb.OrphanGrace)
	*chdb.OrphanGrace = 100 * time.Millisecond
	dir := filepath.Join(t.TempDir(), "clickhouse")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	lib, _ := chdb.Check()
	start := func(told *[]chdb.Orphan) (*chdb.Process, error) {
		return chdb.Start(context.Background(), chdb.Options{DataDir: dir, Port: chtest.FreePort(t), User: chtest.User, Password: chtest.Password,
			OnOrphan: func(o chdb.Orphan) { *told = append(*told, o) }})
	}
	for _, c := range []struct {
		name string
		env  []string
	}{
		{"not an engine", os.Environ()},
		{"the engine of another directory", chdb.ChildEnvironment(lib, dir+"-other", "127.0.0.1:1", "u", "p")},
	} {
		// a process the lock file names (a reused PID) that is not ours
		pid := orphan(t, c.env, os.DevNull, "sleep", "1000")
		os.WriteFile(filepath.Join(dir, "status"), []byte(fmt.Sprintf("PID: %d\nStarted at: x\n", pid)), 0o644)
		var told []chdb.Orphan
		p, err := start(&told)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		p.Stop()
		if len(told) != 0 || !portowner.Running(pid) {
			t.Fatalf("%s: PID %d was taken for an orphaned engine: %+v", c.name, pid, told)
		}
		syscall.Kill(pid, syscall.SIGKILL)
	}
	// one of ours that does not stop on SIGTERM
	pid := orphan(t, chdb.ChildEnvironment(lib, dir, "127.0.0.1:1", "u", "p"), os.DevNull, "sh", "-c", `trap "" TERM; exec sleep 1000`)
	// ready once the shell has ignored SIGTERM and become sleep (a signal
	// before the trap would end it, and the test would test nothing)
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid)); strings.TrimSpace(string(comm)) == "sleep" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the orphan did not start")
		}
	}
	os.WriteFile(filepath.Join(dir, "status"), []byte(fmt.Sprintf("PID: %d\n", pid)), 0o644)
	var told []chdb.Orphan
	p, err := start(&told)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Stop()
	if len(told) != 1 || told[0].PID != pid || !told[0].Killed {
		t.Fatalf("told %+v, want %d killed", told, pid)
	}
	if !strings.HasSuffix(told[0].String(), "it did not end within 100ms of SIGTERM and was killed") {
		t.Fatalf("message: %s", told[0])
	}
	waitGone(t, pid)
}

// An engine whose moose-dev still runs (here: this test) is never ended:
// a second Start on its directory is refused, naming its owner.
func TestAnEngineWhoseMooseDevRunsIsNotTouched(t *testing.T) {
	srv := chtest.Start(t, "local")
	dir := filepath.Join(srv.Dir, "clickhouse")
	_, err := chdb.Start(context.Background(), chdb.Options{DataDir: dir, Port: chtest.FreePort(t), User: chtest.User, Password: chtest.Password,
		OnOrphan: func(o chdb.Orphan) { t.Errorf("ended %+v", o) }})
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("of PID %d (", os.Getpid())) || !strings.Contains(err.Error(), "which still runs") {
		t.Fatalf("want a refusal naming this process, got %v", err)
	}
	waitAnswers(t, srv.Addr)
}
