package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// recordingT runs testscript without failing the enclosing test: it
// records whether the script failed and what it logged.
type recordingT struct {
	mu     sync.Mutex
	failed bool
	log    strings.Builder
}

func (r *recordingT) record(fail bool, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failed = r.failed || fail
	fmt.Fprintln(&r.log, args...)
}

func (r *recordingT) Skip(args ...any)  { r.record(false, args...); runtime.Goexit() }
func (r *recordingT) Fatal(args ...any) { r.record(true, args...); runtime.Goexit() }
func (r *recordingT) FailNow()          { r.record(true, "FailNow"); runtime.Goexit() }
func (r *recordingT) Log(args ...any)   { r.record(false, args...) }
func (r *recordingT) Parallel()         {}
func (r *recordingT) Verbose() bool     { return false }
func (r *recordingT) Run(name string, f func(testscript.T)) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		f(r)
	}()
	<-done
}

// runScript runs one script with the script commands and fakedev, which
// stands in a daemon whose output is its arguments; it says whether the
// script passed, and its log.
func runScript(t *testing.T, script string) (bool, string) {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "s.txtar"), []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	daemons := &daemonSet{m: map[*testscript.TestScript]*daemon{}}
	cmds := daemons.commands("moose-dev-not-run")
	cmds["fakedev"] = func(ts *testscript.TestScript, _ bool, args []string) {
		d := &daemon{out: &syncBuffer{}}
		d.out.Write([]byte(strings.Join(args, "\n")))
		daemons.mu.Lock()
		daemons.m[ts] = d
		daemons.mu.Unlock()
	}
	r := &recordingT{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		testscript.RunT(r, testscript.Params{Dir: dir, Cmds: cmds})
	}()
	<-done
	return !r.failed, r.log.String()
}

// The script commands mean what they say under `!`: countout negated
// holds when the count differs, and the waits and the others refuse it
// instead of ignoring it.
func TestScriptCommandsHonourOrRefuseNegation(t *testing.T) {
	for _, tc := range []struct {
		script string
		pass   bool
		says   string
	}{
		{"fakedev a a b\ncountout 2 a\n! countout 1 a\n! countout 0 a\ncountout 0 c\n", true, ""},
		{"fakedev a a\n! countout 2 a\n", false, `"a" appears 2 times, want any other number`},
		{"fakedev a\ncountout 2 a\n", false, `"a" appears 1 times, want 2`},
		{"fakedev a\nwaitout a\n! waitout b\n", false, "waitout does not take !"},
		{"fakedev a\n! waitfile x\n", false, "waitfile does not take !"},
		{"! sleep 1ms\n", false, "sleep does not take !"},
		{"! burst 1 d\n", false, "burst does not take !"},
		{"exec sh -c 'touch later.flag'\nwaitfile later.flag\n", true, ""},
	} {
		pass, log := runScript(t, tc.script)
		if pass != tc.pass || !strings.Contains(log, tc.says) {
			t.Errorf("script:\n%spassed = %v, want %v (and saying %q); log:\n%s", tc.script, pass, tc.pass, tc.says, log)
		}
	}
}
