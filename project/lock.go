package project

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/moose-dev/moose-dev/internal/portowner"
)

// ErrRunning says another moose-dev dev already runs on the project.
var ErrRunning = errors.New("moose-dev dev is already running on this project")

// Lock marks the project as served by this process: `.moose/dev.pid`. A
// file left by a process that no longer runs is taken over, and so is one
// whose process is a zombie (a moose-dev killed a moment ago whose exit
// its parent has not collected yet: an immediate restart must work).
func (p *Project) Lock() (release func(), err error) {
	path := filepath.Join(p.StateDir(), "dev.pid")
	if err := os.MkdirAll(p.StateDir(), 0o755); err != nil {
		return nil, err
	}
	for attempt := 0; attempt < 2; attempt++ {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
		if err == nil {
			fmt.Fprintf(f, "%d\n", os.Getpid())
			f.Close()
			return func() { os.Remove(path) }, nil
		}
		if !errors.Is(err, os.ErrExist) {
			return nil, err
		}
		data, _ := os.ReadFile(path)
		pid, _ := strconv.Atoi(strings.TrimSpace(string(data)))
		// a moose-dev killed a moment ago may still be exiting
		for deadline := time.Now().Add(3 * time.Second); pid > 0 && pid != os.Getpid() && portowner.Running(pid) && time.Now().Before(deadline); {
			time.Sleep(20 * time.Millisecond)
		}
		if pid > 0 && pid != os.Getpid() && portowner.Running(pid) {
			return nil, fmt.Errorf("%w (PID %d; stop it first, or remove %s if that process is not moose-dev)", ErrRunning, pid, path)
		}
		os.Remove(path) // stale: its process is gone
	}
	return nil, fmt.Errorf("could not lock %s", path)
}
