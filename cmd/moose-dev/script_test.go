package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/moose-dev/moose-dev/chdb"
	"github.com/moose-dev/moose-dev/internal/chtest"
	"github.com/rogpeppe/go-internal/testscript"
)

// TestScripts runs the testscript files in testdata/script: each is a
// project and a session with the real binary. Besides testscript's
// builtins (exec, stdout, stderr, cmp, ...) the scripts have:
//
//	dev [args...]           start `moose-dev dev -p $WORK [args]` in the background, wait for "Watching"
//	waitout [-n N] text     wait until the daemon's output holds text N times (default 1)
//	countout N text         the daemon's output holds text exactly N times now (with !, any other number of times)
//	waitfile path           wait until path exists
//	burst N dir             write N Python files into dir at once
//	stopdev                 Ctrl-C the daemon; it must exit 0 and leave no engine process behind
//	sleep D                 wait for a duration (e.g. 1s)
//
// Only countout takes `!`; the others refuse it (a wait for something not
// to happen is a guess about time: use countout once the daemon has done
// what would have printed it).
func TestScripts(t *testing.T) {
	chtest.RequireEngine(t)
	bin := moosedevBinary(t)
	daemons := &daemonSet{m: map[*testscript.TestScript]*daemon{}}
	testscript.Run(t, testscript.Params{
		Dir: filepath.Join("testdata", "script"),
		Setup: func(env *testscript.Env) error {
			env.Setenv("PATH", filepath.Dir(bin)+string(os.PathListSeparator)+os.Getenv("PATH"))
			env.Setenv("MOOSE_BIN_DIR", filepath.Dir(bin)) // a PATH with moose-dev and nothing else
			env.Setenv("MOOSE_DEV_CACHE", chdb.CacheDir()) // testscript's HOME is not the user's
			env.Setenv("NO_COLOR", "1")
			// A project config on free ports unless the script brings one;
			// a script's extra.toml is appended to it.
			cfg := filepath.Join(env.WorkDir, "moose.config.toml")
			if _, err := os.Stat(cfg); !os.IsNotExist(err) {
				return err
			}
			language := "Python" // a script whose project has app/index.ts is a TypeScript one
			if _, err := os.Stat(filepath.Join(env.WorkDir, "app", "index.ts")); err == nil {
				language = "Typescript"
			}
			toml := fmt.Sprintf("language = %q\n[clickhouse_config]\nhost_port = %d\n[redpanda_config]\nbroker = \"127.0.0.1:%d\"\n",
				language, chtest.FreePort(t), chtest.FreePort(t))
			httpPort := chtest.FreePort(t)
			env.Setenv("HTTP_PORT", strconv.Itoa(httpPort)) // the dev server's, for scripts that call it
			server := fmt.Sprintf("[http_server_config]\nhost = \"127.0.0.1\"\nport = %d\n", httpPort)
			if extra, err := os.ReadFile(filepath.Join(env.WorkDir, "extra.toml")); err == nil {
				if strings.Contains(string(extra), "[http_server_config]\n") { // the script's keys join the section
					extra = []byte(strings.Replace(string(extra), "[http_server_config]\n", server, 1))
					server = ""
				}
				toml += string(extra)
			}
			toml += server
			return os.WriteFile(cfg, []byte(toml), 0o644)
		},
		Cmds: daemons.commands(bin),
	})
}

type scriptCmd = func(ts *testscript.TestScript, neg bool, args []string)

// commands are the script commands above.
func (s *daemonSet) commands(bin string) map[string]scriptCmd {
	return map[string]scriptCmd{
		"dev":      positive("dev", s.start(bin)),
		"waitout":  positive("waitout", s.waitOut),
		"countout": s.countOut,
		"waitfile": positive("waitfile", waitFile),
		"burst":    positive("burst", burst),
		"stopdev":  positive("stopdev", s.stop),
		"sleep": positive("sleep", func(ts *testscript.TestScript, _ bool, args []string) {
			if len(args) != 1 {
				ts.Fatalf("usage: sleep duration")
			}
			d, err := time.ParseDuration(args[0])
			ts.Check(err)
			time.Sleep(d)
		}),
	}
}

// positive refuses `! name`: the command has no negated form.
func positive(name string, cmd scriptCmd) scriptCmd {
	return func(ts *testscript.TestScript, neg bool, args []string) {
		if neg {
			ts.Fatalf("%s does not take !", name)
		}
		cmd(ts, false, args)
	}
}

// waitFile waits until a file exists (a script the daemon runs makes it).
func waitFile(ts *testscript.TestScript, _ bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: waitfile path")
	}
	path := ts.MkAbs(args[0])
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		_, err := os.Stat(path)
		if err == nil {
			return
		}
		if !os.IsNotExist(err) {
			ts.Fatalf("%s: %v", args[0], err)
		}
		if time.Now().After(deadline) {
			ts.Fatalf("%s did not appear within 60s", args[0])
		}
	}
}

type daemon struct {
	cmd  *exec.Cmd
	out  *syncBuffer
	done chan error
}

type daemonSet struct {
	mu sync.Mutex
	m  map[*testscript.TestScript]*daemon
}

func (s *daemonSet) get(ts *testscript.TestScript) *daemon {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.m[ts]
	if d == nil {
		ts.Fatalf("no daemon: run dev first")
	}
	return d
}

func (s *daemonSet) start(bin string) func(ts *testscript.TestScript, neg bool, args []string) {
	return func(ts *testscript.TestScript, neg bool, args []string) {
		cmd := exec.Command(bin, append([]string{"dev", "-p", ts.Getenv("WORK"), "--infra", "embedded"}, args...)...)
		cmd.Dir = ts.Getenv("WORK")
		var env []string
		for _, k := range []string{"PATH", "MOOSE_DEV_CACHE", "NO_COLOR", "TMPDIR"} {
			env = append(env, k+"="+ts.Getenv(k))
		}
		cmd.Env = append(env, "HOME="+ts.Getenv("WORK"))
		d := &daemon{cmd: cmd, out: &syncBuffer{}, done: make(chan error, 1)}
		cmd.Stdout, cmd.Stderr = d.out, d.out
		ts.Check(cmd.Start())
		go func() { d.done <- cmd.Wait() }()
		s.mu.Lock()
		s.m[ts] = d
		s.mu.Unlock()
		ts.Defer(func() {
			if cmd.ProcessState == nil {
				cmd.Process.Kill()
				<-d.done
			}
		})
		s.waitOut(ts, false, []string{"Watching"})
	}
}

func (s *daemonSet) waitOut(ts *testscript.TestScript, neg bool, args []string) {
	n := 1
	if len(args) == 3 && args[0] == "-n" {
		var err error
		if n, err = strconv.Atoi(args[1]); err != nil || n < 1 {
			ts.Fatalf("waitout -n: want a count from 1, got %q", args[1])
		}
		args = args[2:]
	}
	if len(args) != 1 {
		ts.Fatalf("usage: waitout [-n N] text")
	}
	d := s.get(ts)
	deadline := time.Now().Add(60 * time.Second)
	for strings.Count(d.out.String(), args[0]) < n {
		if time.Now().After(deadline) {
			ts.Fatalf("waiting for %q (x%d); output so far:\n%s", args[0], n, d.out.String())
		}
		select {
		case err := <-d.done:
			d.done <- err
			ts.Fatalf("moose-dev exited (%v); output:\n%s", err, d.out.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func (s *daemonSet) countOut(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: countout N text")
	}
	n, err := strconv.Atoi(args[0])
	ts.Check(err)
	out := s.get(ts).out.String()
	switch got := strings.Count(out, args[1]); {
	case !neg && got != n:
		ts.Fatalf("%q appears %d times, want %d; output:\n%s", args[1], got, n, out)
	case neg && got == n:
		ts.Fatalf("%q appears %d times, want any other number; output:\n%s", args[1], got, out)
	}
}

func (s *daemonSet) stop(ts *testscript.TestScript, neg bool, args []string) {
	d := s.get(ts)
	ts.Check(d.cmd.Process.Signal(syscall.SIGINT))
	select {
	case err := <-d.done:
		d.done <- err
		if err != nil {
			ts.Fatalf("moose-dev exited with %v; output:\n%s", err, d.out.String())
		}
	case <-time.After(30 * time.Second):
		ts.Fatalf("moose-dev did not stop on SIGINT")
	}
	ts.Logf("%s", d.out.String())
	// The engine child knows its data directory through its environment.
	marker := []byte("MOOSE_DEV_CHDB_CHILD_DATA=" + filepath.Join(ts.Getenv("WORK"), ".moose"))
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		left := enginesWith(marker)
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			ts.Fatalf("engine process(es) %v still running after moose-dev stopped", left)
		}
	}
}

// enginesWith lists the pids whose environment contains marker.
func enginesWith(marker []byte) []int {
	entries, _ := os.ReadDir("/proc")
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		env, err := os.ReadFile(filepath.Join("/proc", e.Name(), "environ"))
		if err == nil && bytes.Contains(env, marker) {
			pids = append(pids, pid)
		}
	}
	return pids
}

func burst(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: burst N dir")
	}
	n, err := strconv.Atoi(args[0])
	ts.Check(err)
	dir := ts.MkAbs(args[1])
	ts.Check(os.MkdirAll(dir, 0o755))
	for i := 0; i < n; i++ {
		src := fmt.Sprintf("from pydantic import BaseModel\n\n\nclass Gen%d(BaseModel):\n    id: str\n", i)
		ts.Check(os.WriteFile(filepath.Join(dir, fmt.Sprintf("gen_%03d.py", i)), []byte(src), 0o644))
	}
}
