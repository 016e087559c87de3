package chdb

import (
	"os/exec"
	"syscall"
)

// setParentDeathSignal makes the kernel stop the child if the parent dies.
func setParentDeathSignal(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
}
