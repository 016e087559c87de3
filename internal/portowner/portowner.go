// Package portowner names the process listening on a local TCP port, for
// "port 18123 is taken by PID 4242 (clickhouse)" messages. It reads
// /proc (Linux); elsewhere, or without permission, it names nobody.
package portowner

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// Owner is a process listening on a port.
type Owner struct {
	PID  int
	Name string
}

func (o Owner) String() string { return fmt.Sprintf("PID %d (%s)", o.PID, o.Name) }

// Find returns the process listening on TCP port, if it can tell.
func Find(port int) (Owner, bool) {
	inodes := map[string]bool{}
	for _, table := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		for _, inode := range listeningInodes(table, port) {
			inodes[inode] = true
		}
	}
	if len(inodes) == 0 {
		return Owner{}, false
	}
	procs, _ := os.ReadDir("/proc")
	for _, p := range procs {
		pid, err := strconv.Atoi(p.Name())
		if err != nil {
			continue
		}
		fds, _ := os.ReadDir(filepath.Join("/proc", p.Name(), "fd"))
		for _, fd := range fds {
			link, err := os.Readlink(filepath.Join("/proc", p.Name(), "fd", fd.Name()))
			if err == nil && strings.HasPrefix(link, "socket:[") && inodes[strings.TrimSuffix(strings.TrimPrefix(link, "socket:["), "]")] {
				proc, _ := ReadProc(pid)
				return Owner{PID: pid, Name: proc.Name}, true
			}
		}
	}
	return Owner{}, false
}

// listeningInodes reads a /proc/net/tcp table: the socket inodes in LISTEN
// state (0A) on port.
func listeningInodes(table string, port int) []string {
	f, err := os.Open(table)
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Scan() // header
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 10 || fields[3] != "0A" {
			continue
		}
		_, hexPort, ok := strings.Cut(fields[1], ":")
		if p, err := strconv.ParseInt(hexPort, 16, 32); ok && err == nil && int(p) == port {
			out = append(out, fields[9])
		}
	}
	return out
}

// Check reports whether nothing listens on host:port yet, by listening
// there a moment; when something does, the error is Taken's description.
// Any other failure (an invalid port, one reserved to root, an address not
// on this machine) is said as it is, not as a taken port.
func Check(host string, port int) error {
	addr := net.JoinHostPort(host, strconv.Itoa(port))
	ln, err := net.Listen("tcp", addr)
	if errors.Is(err, syscall.EADDRINUSE) {
		return errors.New(Taken(port))
	}
	if err != nil {
		var se *os.SyscallError
		if errors.As(err, &se) {
			err = se.Err
		}
		return fmt.Errorf("cannot listen on %s: %w", addr, err)
	}
	return ln.Close()
}

// Taken describes a taken port for an error message: "port 18123 is taken
// by PID 4242 (clickhouse)", or "port 18123 is taken" when the owner
// cannot be told.
func Taken(port int) string {
	if o, ok := Find(port); ok {
		return fmt.Sprintf("port %d is taken by %s", port, o)
	}
	return fmt.Sprintf("port %d is taken", port)
}
