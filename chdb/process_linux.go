package chdb

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"github.com/moose-dev/moose-dev/internal/portowner"
)

// spawner starts children from one OS thread that never exits. The kernel
// sends the parent-death signal when the *thread* that forked the child
// exits, not the process: a child forked from an ordinary Go thread could
// be told its parent died whenever the runtime retires that thread.
var spawner struct {
	once sync.Once
	reqs chan spawnReq
}

type spawnReq struct {
	cmd  *exec.Cmd
	done chan error
}

// startChild starts cmd so that the kernel stops it (SIGTERM, which it
// handles by shutting down) when this process dies, even by SIGKILL.
func startChild(cmd *exec.Cmd) error {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	spawner.once.Do(func() {
		spawner.reqs = make(chan spawnReq)
		go func() {
			runtime.LockOSThread() // never unlocked: the thread lives as long as the process
			for r := range spawner.reqs {
				r.done <- r.cmd.Start()
			}
		}()
	})
	done := make(chan error, 1)
	spawner.reqs <- spawnReq{cmd, done}
	return <-done
}

// engineProc is what /proc says of a process that may be an engine child.
type engineProc struct {
	portowner.Proc
	env map[string]string
}

// readProc reads pid's state, parent and environment; false when it does
// not run (or cannot be read: another user's).
func readProc(pid int) (engineProc, bool) {
	proc, ok := portowner.ReadProc(pid)
	if !ok {
		return engineProc{}, false
	}
	p := engineProc{Proc: proc, env: map[string]string{}}
	if env, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "environ")); err == nil {
		for _, kv := range bytes.Split(env, []byte{0}) {
			if k, v, ok := strings.Cut(string(kv), "="); ok {
				p.env[k] = v
			}
		}
	}
	return p, true
}

// gone: exited; a zombie holds no port or file lock, only its exit status
// for a parent (init, for an orphan) to collect.
func gone(pid int) bool { return !portowner.Running(pid) }

// previousEngine returns the engine child still running on dataDir, if
// there is one: the process the engine's lock file (`status`, "PID: n",
// written by whoever holds the directory) names, when its environment
// says it is an engine child (MOOSE_DEV_CHDB_CHILD=1) serving this very
// directory, so that a reused PID is never taken for it.
func previousEngine(dataDir string) (engineProc, bool) {
	pid := EnginePID(dataDir)
	if pid <= 0 || pid == os.Getpid() || gone(pid) {
		return engineProc{}, false
	}
	p, ok := readProc(pid)
	if !ok || p.env[childEnv] != "1" || p.env[childData] != dataDir {
		return engineProc{}, false
	}
	return p, true
}

// supervisor is the process that started p and still is its parent, or 0
// when p is an orphan: its parent died (p was reparented) or it was
// started without one recorded.
func (p engineProc) supervisor() int {
	if parent, err := strconv.Atoi(p.env[childParentP]); err == nil && parent == p.PPID {
		return parent
	}
	return 0
}

func sendSignal(pid int, sig syscall.Signal) error {
	err := syscall.Kill(pid, sig)
	if errors.Is(err, syscall.ESRCH) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("signalling PID %d: %w", pid, err)
	}
	return nil
}
