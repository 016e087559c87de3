package portowner

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestFindNamesThisProcess(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	if _, err := os.Stat("/proc/net/tcp"); err != nil {
		t.Skip("no /proc/net/tcp here")
	}
	o, ok := Find(port)
	if !ok || o.PID != os.Getpid() {
		t.Fatalf("Find(%d) = %v, %v; want this process (%d)", port, o, ok, os.Getpid())
	}
	if msg := Taken(port); !strings.Contains(msg, "port "+strconv.Itoa(port)+" is taken by PID "+strconv.Itoa(os.Getpid())) {
		t.Fatalf("Taken: %q", msg)
	}
}

func TestAFreePortHasNoOwner(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	if o, ok := Find(port); ok {
		t.Fatalf("a closed port is owned by %v", o)
	}
	if msg := Taken(port); msg != "port "+strconv.Itoa(port)+" is taken" {
		t.Fatalf("Taken: %q", msg)
	}
}

func TestCheckSaysWhoHoldsAPort(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	if err := Check("127.0.0.1", port); err == nil || !strings.Contains(err.Error(), fmt.Sprintf("port %d is taken by PID %d", port, os.Getpid())) {
		t.Fatalf("a held port: %v", err)
	}
	ln.Close()
	if err := Check("127.0.0.1", port); err != nil {
		t.Fatalf("a free port: %v", err)
	}
}

// Only a port in use is "taken": 99999 is not a port at all.
func TestCheckSaysAnInvalidPortIsNotTaken(t *testing.T) {
	err := Check("127.0.0.1", 99999)
	if err == nil || strings.Contains(err.Error(), "taken") || !strings.Contains(err.Error(), "cannot listen on 127.0.0.1:99999") {
		t.Fatalf("port 99999: %v", err)
	}
	if err := Check("192.0.2.1", freePort(t)); err == nil || strings.Contains(err.Error(), "taken") || !strings.Contains(err.Error(), "cannot assign requested address") {
		t.Fatalf("an address not on this machine: %v", err)
	}
}

func freePort(t *testing.T) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// A zombie, a process that exited but whose parent has not collected its
// status, does not run: signal 0 would say it does.
func TestAZombieIsNotRunning(t *testing.T) {
	if !Running(os.Getpid()) {
		t.Fatal("this process is not running?")
	}
	child := exec.Command("true")
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	defer child.Wait()
	pid := child.Process.Pid
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if p, ok := ReadProc(pid); ok && p.State == 'Z' {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("child %d never became a zombie", pid)
		}
	}
	if err := syscall.Kill(pid, 0); err != nil {
		t.Fatalf("signal 0 to a zombie: %v (the case Running must tell apart)", err)
	}
	if Running(pid) {
		t.Fatalf("zombie %d is reported running", pid)
	}
	if p, ok := ReadProc(pid); !ok || p.PPID != os.Getpid() || p.Name != "true" {
		t.Fatalf("ReadProc(%d) = %+v, %v", pid, p, ok)
	}
}
