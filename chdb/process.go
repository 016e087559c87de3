package chdb

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/moose-dev/moose-dev/internal/portowner"
)

// The child process is configured through the environment, so that the
// password never appears in a process listing.
const (
	childEnv     = "MOOSE_DEV_CHDB_CHILD"
	childLib     = "MOOSE_DEV_CHDB_CHILD_LIB"
	childData    = "MOOSE_DEV_CHDB_CHILD_DATA"
	childListen  = "MOOSE_DEV_CHDB_CHILD_LISTEN"
	childUser    = "MOOSE_DEV_CHDB_CHILD_USER"
	childPass    = "MOOSE_DEV_CHDB_CHILD_PASSWORD"
	childParentP = "MOOSE_DEV_CHDB_CHILD_PARENT"
	childNative  = "MOOSE_DEV_CHDB_CHILD_NATIVE"
)

// RunChildIfRequested turns this process into the embedded ClickHouse
// server when it was started as one by Start, and never returns then.
// Every binary that may be used as the child (moose-dev itself, test
// binaries) calls it first thing in main or TestMain.
func RunChildIfRequested() {
	if os.Getenv(childEnv) != "1" {
		return
	}
	if err := runChild(); err != nil {
		fmt.Fprintln(os.Stderr, "embedded clickhouse:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

func runChild() error {
	// The parent may have died before the kernel was told to signal us
	// when it does: then nobody would ever stop this engine.
	if ppid, err := strconv.Atoi(os.Getenv(childParentP)); err == nil && os.Getppid() != ppid {
		return fmt.Errorf("moose-dev (PID %d) exited before its engine started", ppid)
	}
	lib, err := Load(os.Getenv(childLib))
	if err != nil {
		return err
	}
	data := os.Getenv(childData)
	sessions := make([]Querier, lanes)
	for i := range sessions {
		sess, err := lib.Connect(data)
		if err != nil {
			return err
		}
		defer sess.Close()
		sessions[i] = sess
	}
	tmp := filepath.Join(data, "tmp-inserts")
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", os.Getenv(childListen))
	if err != nil {
		return err
	}
	front := NewServer(os.Getenv(childUser), os.Getenv(childPass), tmp, sessions...)
	srv := &http.Server{Handler: front, ReadHeaderTimeout: 10 * time.Second}
	if addr := os.Getenv(childNative); addr != "" {
		// the native protocol is a convenience: without its port the
		// engine still serves HTTP, which is what moose-dev itself uses
		if nln, err := net.Listen("tcp", addr); err != nil {
			fmt.Fprintln(os.Stderr, "embedded clickhouse: native protocol not served:", err)
		} else {
			defer nln.Close()
			go front.ServeNative(nln)
		}
	}
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		<-sigs
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	}()
	// Exit when the parent goes away, whatever the platform.
	if ppid, err := strconv.Atoi(os.Getenv(childParentP)); err == nil {
		go func() {
			for range time.Tick(500 * time.Millisecond) {
				if os.Getppid() != ppid {
					srv.Close()
					return
				}
			}
		}()
	}
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// lanes is how many sessions the child opens on its data, so that as
// many statements run at once: DDL waits on fsync as much as on the CPU,
// so even 2 cores gain from 4 (2,000 CREATE TABLEs: 2.6 ms each on 1, 2.0
// on 2, 1.6 on 4). clickhouse.Client sends as many CREATE TABLEs at once.
const lanes = 4

// childEnvironment configures a child (RunChildIfRequested) serving
// o.DataDir on addr (and nativeAddr, unless ""), started by parent (0:
// none recorded).
func childEnvironment(lib string, o Options, addr, nativeAddr string, parent int) []string {
	env := append(os.Environ(), childEnv+"=1", childLib+"="+lib, childData+"="+o.DataDir,
		childListen+"="+addr, childUser+"="+o.User, childPass+"="+o.Password)
	if parent > 0 {
		env = append(env, childParentP+"="+strconv.Itoa(parent))
	}
	if nativeAddr != "" {
		env = append(env, childNative+"="+nativeAddr)
	}
	return env
}

// Options configure the embedded ClickHouse process.
type Options struct {
	// Exe is the binary to run as the child; it must call
	// RunChildIfRequested. Default: this executable.
	Exe     string
	DataDir string
	Host    string // loopback only; default 127.0.0.1
	Port    int
	// NativePort, when set, also serves the native protocol (TCP) there.
	NativePort int
	User       string
	Password   string
	// LogFile receives the engine's own output.
	LogFile string
	// OnOrphan is told of an engine an earlier run left running on
	// DataDir (its moose-dev killed, the engine still shutting down), once
	// Start has ended it.
	OnOrphan func(Orphan)
}

// Orphan is an engine child whose moose-dev is gone, found still running
// on the data directory and ended by Start.
type Orphan struct {
	PID     int
	DataDir string
	Killed  bool // it outlived SIGTERM's grace and was killed
}

func (o Orphan) String() string {
	how := "SIGTERM ended it"
	if o.Killed {
		how = fmt.Sprintf("it did not end within %s of SIGTERM and was killed", orphanGrace)
	}
	return fmt.Sprintf("the embedded ClickHouse (PID %d) an earlier moose-dev left running on %s: %s", o.PID, o.DataDir, how)
}

// orphanGrace is how long an orphaned engine is given to shut down (a
// variable for tests).
var orphanGrace = 10 * time.Second

// supervisorGrace is how long a restart waits for the moose-dev that owns
// a running engine to finish exiting before it calls that engine in use.
var supervisorGrace = 3 * time.Second

// endOrphan ends the engine an earlier moose-dev left on dataDir, if one
// still runs there: one data directory admits one engine ("Another server
// instance in same directory is already running"), and the engine of a
// moose-dev killed with SIGKILL is still shutting down for a moment. It is
// ended only when proven ours and orphaned (previousEngine, supervisor);
// an engine whose moose-dev still runs is an error naming that process.
func endOrphan(dataDir string) (*Orphan, error) {
	p, ok := previousEngine(dataDir)
	if !ok {
		return nil, nil
	}
	// a moose-dev killed a moment ago may still be exiting: the kill
	// returns before the process is gone and its engine re-parented
	for deadline := time.Now().Add(supervisorGrace); p.supervisor() != 0 && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
		if p, ok = previousEngine(dataDir); !ok {
			return nil, nil
		}
	}
	if sup := p.supervisor(); sup != 0 {
		owner, _ := portowner.ReadProc(sup)
		return nil, fmt.Errorf("%s is in use by the embedded ClickHouse (PID %d) of PID %d (%s), which still runs: stop that first", dataDir, p.PID, sup, owner.Name)
	}
	o := &Orphan{PID: p.PID, DataDir: dataDir}
	// SIGCONT: a stopped process would only act on SIGTERM once resumed
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGCONT} {
		if err := sendSignal(p.PID, sig); err != nil {
			return nil, err
		}
	}
	if waitGone(p.PID, orphanGrace) {
		return o, nil
	}
	o.Killed = true
	if err := sendSignal(p.PID, syscall.SIGKILL); err != nil {
		return nil, err
	}
	if waitGone(p.PID, 5*time.Second) {
		return o, nil
	}
	return nil, fmt.Errorf("the embedded ClickHouse (PID %d) an earlier moose-dev left on %s does not exit, even killed", p.PID, dataDir)
}

func waitGone(pid int, limit time.Duration) bool {
	for deadline := time.Now().Add(limit); ; time.Sleep(20 * time.Millisecond) {
		if gone(pid) {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
	}
}

// EnginePID is the PID of the engine holding dataDir, from its lock file
// (ClickHouse's `status`: "PID: n", kept by the process holding the
// directory), or 0. The process may have exited since.
func EnginePID(dataDir string) int {
	data, err := os.ReadFile(filepath.Join(dataDir, "status"))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "PID: "); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(v))
			return n
		}
	}
	return 0
}

// Process is a running embedded ClickHouse.
type Process struct {
	cmd        *exec.Cmd
	Addr       string
	NativeAddr string // "" when the native protocol is not served
	// NativeErr says why the native protocol is not served, when it was
	// asked for: its port is taken. HTTP is unaffected.
	NativeErr error
	done      chan struct{}
	err       error
}

// ErrPortTaken says the ClickHouse port is in use.
var ErrPortTaken = errors.New("the port is in use")

// Start launches the embedded ClickHouse and waits until it answers /ping.
func Start(ctx context.Context, o Options) (*Process, error) {
	lib, err := Check()
	if err != nil {
		return nil, err
	}
	if o.Host == "" {
		o.Host = "127.0.0.1"
	}
	if ip := net.ParseIP(o.Host); o.Host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, fmt.Errorf("the embedded ClickHouse listens on loopback only, not %q", o.Host)
	}
	if o.Host == "localhost" {
		o.Host = "127.0.0.1"
	}
	if o.DataDir, err = filepath.Abs(o.DataDir); err != nil {
		return nil, err
	}
	// before the ports: an engine left running holds them too
	if orphan, err := endOrphan(o.DataDir); err != nil {
		return nil, err
	} else if orphan != nil && o.OnOrphan != nil {
		o.OnOrphan(*orphan)
	}
	addr := net.JoinHostPort(o.Host, strconv.Itoa(o.Port))
	if err := portowner.Check(o.Host, o.Port); err != nil {
		return nil, fmt.Errorf("ClickHouse %v: %w (is another moose-dev or ClickHouse running? stop it, or set [clickhouse_config] host_port)", err, ErrPortTaken)
	}
	var nativeErr error
	if o.NativePort > 0 {
		// the native protocol is a convenience: without its port the
		// engine still serves HTTP, which is what moose-dev itself uses
		if nativeErr = portowner.Check(o.Host, o.NativePort); nativeErr != nil {
			o.NativePort = 0
		}
	}
	if o.Exe == "" {
		if o.Exe, err = os.Executable(); err != nil {
			return nil, err
		}
	}
	if err := os.MkdirAll(o.DataDir, 0o755); err != nil {
		return nil, err
	}
	nativeAddr := ""
	if o.NativePort > 0 {
		nativeAddr = net.JoinHostPort(o.Host, strconv.Itoa(o.NativePort))
	}
	cmd := exec.Command(o.Exe)
	cmd.Env = childEnvironment(lib, o, addr, nativeAddr, os.Getpid())
	var logf io.WriteCloser
	if o.LogFile != "" {
		if logf, err = os.OpenFile(o.LogFile, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644); err != nil {
			return nil, err
		}
		cmd.Stdout, cmd.Stderr = logf, logf
	}
	if err := startChild(cmd); err != nil {
		return nil, err
	}
	p := &Process{cmd: cmd, Addr: addr, NativeAddr: nativeAddr, NativeErr: nativeErr, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		if logf != nil {
			logf.Close()
		}
		close(p.done)
	}()
	if err := p.waitReady(ctx, 60*time.Second); err != nil {
		p.Stop()
		return nil, err
	}
	return p, nil
}

func (p *Process) waitReady(ctx context.Context, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	client := &http.Client{Timeout: time.Second}
	for time.Now().Before(deadline) {
		select {
		case <-p.done:
			return fmt.Errorf("the embedded ClickHouse exited during startup: %v (see .moose/clickhouse.log)", p.err)
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
		if resp, err := client.Get("http://" + p.Addr + "/ping"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("the embedded ClickHouse did not become ready within %s", limit)
}

// Done is closed when the process has exited.
func (p *Process) Done() <-chan struct{} { return p.done }

// Stop asks the process to shut down and waits for it (killing it after
// ten seconds).
func (p *Process) Stop() error {
	select {
	case <-p.done:
		return nil
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
	return nil
}
