package main

import (
	"os"
	"testing"

	"github.com/moose-dev/moose-dev/chdb"
)

func TestMain(m *testing.M) {
	chdb.RunChildIfRequested()
	os.Exit(m.Run())
}
