//go:build !linux

package chdb

import "os/exec"

func setParentDeathSignal(cmd *exec.Cmd) {}
