package portowner

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// Proc is what /proc says of a process.
type Proc struct {
	PID, PPID int
	State     byte   // R, S, D, T, Z (zombie), X (dead), ...
	Name      string // comm
}

// ReadProc reads a process's /proc/<pid>/stat; false when it does not
// exist (or there is no /proc).
func ReadProc(pid int) (Proc, bool) {
	stat, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return Proc{}, false
	}
	// pid (comm) state ppid ...: comm may hold spaces and parentheses
	open, end := bytes.IndexByte(stat, '('), bytes.LastIndexByte(stat, ')')
	if open < 0 || end < open {
		return Proc{}, false
	}
	fields := strings.Fields(string(stat[end+1:]))
	if len(fields) < 2 || fields[0] == "" {
		return Proc{}, false
	}
	p := Proc{PID: pid, State: fields[0][0], Name: string(stat[open+1 : end])}
	p.PPID, _ = strconv.Atoi(fields[1])
	return p, true
}

// Running reports whether pid is a live process: a zombie (killed, its
// exit status not yet collected by its parent) is not. Without /proc it
// asks the kernel with signal 0, which a zombie also answers.
func Running(pid int) bool {
	if p, ok := ReadProc(pid); ok {
		return p.State != 'Z' && p.State != 'X'
	}
	if _, err := os.Stat("/proc/self/stat"); err == nil {
		return false // /proc works, and has no such process
	}
	proc, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	return proc.Signal(syscall.Signal(0)) == nil
}
