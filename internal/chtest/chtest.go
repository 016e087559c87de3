// Package chtest starts the real embedded ClickHouse (chDB behind the HTTP
// front end) for tests. A test package that uses it calls
// chdb.RunChildIfRequested in its TestMain, so the test binary itself can
// serve as the engine's child process.
//
// Without the engine installed the tests skip, unless MOOSE_DEV_REQUIRE_CHDB
// is set (CI sets it), in which case they fail.
package chtest

import (
	"context"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/moose-dev/moose-dev/chdb"
	"github.com/moose-dev/moose-dev/clickhouse"
)

// Server is a running embedded ClickHouse for one test.
type Server struct {
	Proc       *chdb.Process
	Client     *clickhouse.Client
	Addr       string // the HTTP interface
	NativeAddr string // the native protocol
	Dir        string
}

// User and Password are the credentials test servers accept.
const (
	User     = "panda"
	Password = "pandapass"
)

// RequireEngine skips (or, in CI, fails) the test when chDB is missing.
func RequireEngine(t testing.TB) {
	t.Helper()
	if _, err := chdb.Check(); err != nil {
		if os.Getenv("MOOSE_DEV_REQUIRE_CHDB") != "" {
			t.Fatalf("MOOSE_DEV_REQUIRE_CHDB is set but: %v", err)
		}
		t.Skipf("skipping: %v", err)
	}
}

// RequireTool skips the test when a client tool it drives is not on PATH,
// unless MOOSE_DEV_REQUIRE_CHDB is set (CI installs the tools the README
// says are tested), in which case it fails.
func RequireTool(t testing.TB, name, install string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		if os.Getenv("MOOSE_DEV_REQUIRE_CHDB") != "" {
			t.Fatalf("MOOSE_DEV_REQUIRE_CHDB is set but %s is not installed (%s)", name, install)
		}
		t.Skipf("skipping: %s is not installed (%s)", name, install)
	}
}

// FreePort returns a loopback TCP port that was free a moment ago. It is
// drawn below the kernel's ephemeral range (32768 and up on Linux), so
// that no outgoing connection of a test running beside this one can take
// it before the test binds it; a port a concurrent test drew too is
// unlikely (12,000 to choose from) and, if free now, still possible.
func FreePort(t testing.TB) int {
	t.Helper()
	for attempt := 0; attempt < 200; attempt++ {
		port := 20000 + rand.IntN(12768)
		ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		if err == nil {
			ln.Close()
			return port
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// Start runs an embedded ClickHouse on a fresh data directory (or dir,
// when given, to test persistence) and connects a client with database db.
func Start(t testing.TB, db string, dir ...string) *Server {
	t.Helper()
	RequireEngine(t)
	data := t.TempDir()
	if len(dir) > 0 {
		data = dir[0]
	}
	ctx := context.Background()
	port := FreePort(t)
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	proc, err := chdb.Start(ctx, chdb.Options{Exe: exe, DataDir: filepath.Join(data, "clickhouse"), Port: port, NativePort: FreePort(t),
		User: User, Password: Password, LogFile: filepath.Join(data, "clickhouse.log")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { proc.Stop() })
	client, err := clickhouse.Open(ctx, clickhouse.Config{Addr: proc.Addr, User: User, Password: Password, Database: db})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	if err := client.EnsureDatabases(ctx); err != nil {
		t.Fatal(err)
	}
	return &Server{Proc: proc, Client: client, Addr: proc.Addr, NativeAddr: proc.NativeAddr, Dir: data}
}
