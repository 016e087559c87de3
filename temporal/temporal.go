// Package temporal runs the Temporal dev server for workflows when the
// embedded default is used: `temporal server start-dev` from the Temporal
// CLI on PATH, on loopback, its data in a file under `.moose/`. Linking the
// server into moose-dev would cost minutes per build and gigabytes of RAM
// (environment.md), so the CLI is a runtime requirement, asked for only
// when `[features] workflows` is on.
package temporal

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"time"

	"github.com/moose-dev/moose-dev/internal/portowner"
)

// Install says how to get the CLI.
const Install = "go install github.com/temporalio/cli/cmd/temporal@v1.5.1 (or see https://docs.temporal.io/cli)"

// Options say where the dev server listens and keeps its data.
type Options struct {
	Port    int    // the frontend (gRPC) port clients use
	DBFile  string // SQLite file, so workflows survive a restart
	LogFile string // the server's output
	Bin     string // the CLI; "temporal" on PATH when empty
}

// Server is a running dev server.
type Server struct {
	Addr string
	cmd  *exec.Cmd
	done chan error
}

// ErrNotInstalled is returned when the CLI is not on PATH.
var ErrNotInstalled = errors.New("no `temporal` binary on PATH")

// Find returns the path of the CLI (bin, or "temporal" when empty), or an
// error saying how to install it. dev checks it before starting anything.
func Find(bin string) (string, error) {
	if bin == "" {
		bin = "temporal"
	}
	path, err := exec.LookPath(bin)
	if err != nil {
		return "", fmt.Errorf("workflows are on ([features] workflows = true) but there is %w: install the Temporal CLI with %s, "+
			"or set [features] workflows = false", ErrNotInstalled, Install)
	}
	return path, nil
}

// Start runs the dev server and waits until its frontend port answers.
func Start(o Options) (*Server, error) {
	path, err := Find(o.Bin)
	if err != nil {
		return nil, err
	}
	httpPort, err := freePort()
	if err != nil {
		return nil, err
	}
	metricsPort, err := freePort()
	if err != nil {
		return nil, err
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(o.Port))
	if err := portowner.Check("127.0.0.1", o.Port); err != nil {
		return nil, fmt.Errorf("Temporal's %v: stop what holds it or change [temporal_config] temporal_port", err)
	}
	cmd := exec.Command(path, "server", "start-dev", "--headless", "--ip", "127.0.0.1",
		"--port", strconv.Itoa(o.Port), "--http-port", strconv.Itoa(httpPort),
		"--metrics-port", strconv.Itoa(metricsPort), "--db-filename", o.DBFile)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // stopped with everything it starts
	if o.LogFile != "" {
		f, err := os.OpenFile(o.LogFile, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			return nil, err
		}
		defer f.Close() // the child keeps its own descriptor
		cmd.Stdout, cmd.Stderr = f, f
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", path, err)
	}
	s := &Server{Addr: addr, cmd: cmd, done: make(chan error, 1)}
	go func() { s.done <- cmd.Wait() }()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond); err == nil {
			c.Close()
			return s, nil
		}
		select {
		case err := <-s.done:
			s.done <- err
			return nil, fmt.Errorf("the Temporal dev server exited before it was ready (%v); see %s", err, o.LogFile)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			s.Stop()
			return nil, fmt.Errorf("the Temporal dev server did not answer on %s within 30 s; see %s", addr, o.LogFile)
		}
	}
}

// Stop interrupts the server (and anything it started), killing it if it
// has not exited within 5 s.
func (s *Server) Stop() {
	pgid := -s.cmd.Process.Pid
	syscall.Kill(pgid, syscall.SIGINT)
	select {
	case <-s.done:
	case <-time.After(5 * time.Second):
		syscall.Kill(pgid, syscall.SIGKILL)
		<-s.done
	}
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}
