package temporal

import (
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The test binary doubles as a fake `temporal` CLI: with FAKE_TEMPORAL set
// it records its arguments, listens on --port and exits on SIGINT.
func TestMain(m *testing.M) {
	if out := os.Getenv("FAKE_TEMPORAL"); out != "" {
		os.WriteFile(out, []byte(strings.Join(os.Args[1:], " ")), 0o644)
		port := ""
		for i, a := range os.Args {
			if a == "--port" && i+1 < len(os.Args) {
				port = os.Args[i+1]
			}
		}
		ln, err := net.Listen("tcp", "127.0.0.1:"+port)
		if err != nil {
			os.Exit(3)
		}
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				c.Close()
			}
		}()
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, syscall.SIGINT)
		<-sig
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func freeTestPort(t *testing.T) int {
	p, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestStartRunsTheDevServerOnLoopbackAndStopsIt(t *testing.T) {
	dir := t.TempDir()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(exe, filepath.Join(dir, "temporal")); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir)
	argsFile := filepath.Join(dir, "args")
	t.Setenv("FAKE_TEMPORAL", argsFile)
	port := freeTestPort(t)
	db := filepath.Join(dir, "temporal.db")
	s, err := Start(Options{Port: port, DBFile: db, LogFile: filepath.Join(dir, "temporal.log")})
	if err != nil {
		t.Fatal(err)
	}
	args, _ := os.ReadFile(argsFile)
	for _, want := range []string{"server start-dev --headless --ip 127.0.0.1", "--db-filename " + db} {
		if !strings.Contains(string(args), want) {
			t.Errorf("args %q lack %q", args, want)
		}
	}
	if c, err := net.Dial("tcp", s.Addr); err != nil {
		t.Fatalf("not listening on %s: %v", s.Addr, err)
	} else {
		c.Close()
	}
	s.Stop()
	if err := syscall.Kill(s.cmd.Process.Pid, 0); err == nil {
		t.Fatal("the server still runs after Stop")
	}
	deadline := time.Now().Add(2 * time.Second)
	for {
		ln, err := net.Listen("tcp", s.Addr)
		if err == nil {
			ln.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("port still held after Stop: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestWithoutTheCLITheErrorSaysHowToGetIt(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, err := Start(Options{Port: freeTestPort(t), DBFile: "x.db"})
	if err == nil || !strings.Contains(err.Error(), "go install github.com/temporalio/cli/cmd/temporal") || !strings.Contains(err.Error(), "workflows = false") {
		t.Fatalf("error: %v", err)
	}
}

func TestATakenPortIsNamed(t *testing.T) {
	dir := t.TempDir()
	exe, _ := os.Executable()
	os.Symlink(exe, filepath.Join(dir, "temporal"))
	t.Setenv("PATH", dir)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	_, err = Start(Options{Port: port, DBFile: "x.db"})
	if err == nil || !strings.Contains(err.Error(), "is taken by PID "+strconv.Itoa(os.Getpid())) {
		t.Fatalf("error: %v", err)
	}
}
