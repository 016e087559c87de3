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
	lib, err := Load(os.Getenv(childLib))
	if err != nil {
		return err
	}
	data := os.Getenv(childData)
	sess, err := lib.Connect(data)
	if err != nil {
		return err
	}
	defer sess.Close()
	tmp := filepath.Join(data, "tmp-inserts")
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", os.Getenv(childListen))
	if err != nil {
		return err
	}
	front := NewServer(sess, os.Getenv(childUser), os.Getenv(childPass), tmp)
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
}

// Process is a running embedded ClickHouse.
type Process struct {
	cmd        *exec.Cmd
	Addr       string
	NativeAddr string // "" when the native protocol is not served
	done       chan struct{}
	err        error
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
	addr := net.JoinHostPort(o.Host, strconv.Itoa(o.Port))
	if err := portowner.Check(o.Host, o.Port); err != nil {
		return nil, fmt.Errorf("ClickHouse %v: %w (is another moose-dev or ClickHouse running? stop it, or set [clickhouse_config] host_port)", err, ErrPortTaken)
	}
	if o.Exe == "" {
		if o.Exe, err = os.Executable(); err != nil {
			return nil, err
		}
	}
	if err := os.MkdirAll(o.DataDir, 0o755); err != nil {
		return nil, err
	}
	cmd := exec.Command(o.Exe)
	cmd.Env = append(os.Environ(), childEnv+"=1", childLib+"="+lib, childData+"="+o.DataDir,
		childListen+"="+addr, childUser+"="+o.User, childPass+"="+o.Password,
		childParentP+"="+strconv.Itoa(os.Getpid()))
	nativeAddr := ""
	if o.NativePort > 0 {
		nativeAddr = net.JoinHostPort(o.Host, strconv.Itoa(o.NativePort))
		cmd.Env = append(cmd.Env, childNative+"="+nativeAddr)
	}
	var logf io.WriteCloser
	if o.LogFile != "" {
		if logf, err = os.OpenFile(o.LogFile, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644); err != nil {
			return nil, err
		}
		cmd.Stdout, cmd.Stderr = logf, logf
	}
	setParentDeathSignal(cmd)
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &Process{cmd: cmd, Addr: addr, NativeAddr: nativeAddr, done: make(chan struct{})}
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
