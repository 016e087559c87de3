package portowner

import (
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"
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
