//go:build !linux

package chdb

import (
	"os/exec"
	"syscall"
)

// startChild starts cmd; without a parent-death signal here, the child
// polls for its parent instead (runChild).
func startChild(cmd *exec.Cmd) error { return cmd.Start() }

type engineProc struct{ PID int }

// previousEngine finds nothing where /proc cannot prove a process is ours.
func previousEngine(string) (engineProc, bool) { return engineProc{}, false }

func (engineProc) supervisor() int { return 0 }

func gone(int) bool { return true }

func sendSignal(int, syscall.Signal) error { return nil }
