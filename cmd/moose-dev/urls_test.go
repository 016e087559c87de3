package main

import (
	"encoding/pem"
	"fmt"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/moose-dev/moose-dev/internal/chtest"
)

// TestHTTPSURL: an https:// --clickhouse-url goes over TLS, verified against
// the system's roots (here a test CA given through SSL_CERT_FILE), to a
// ClickHouse HTTP interface; the embedded engine behind a TLS proxy plays
// the server. A self-signed server not in the roots is refused.
func TestHTTPSURL(t *testing.T) {
	srv := chtest.Start(t, "prod")
	backend, _ := url.Parse("http://" + srv.Addr)
	proxy := httptest.NewTLSServer(httputil.NewSingleHostReverseProxy(backend))
	defer proxy.Close()
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: proxy.Certificate().Raw}), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := newPlanningProject(t).dir
	target := fmt.Sprintf("https://%s:%s@%s/prod", chtest.User, chtest.Password, strings.TrimPrefix(proxy.URL, "https://"))
	run := func(env ...string) (string, error) {
		cmd := exec.Command(moosedevBinary(t), "plan", "--json", "-p", dir, "--clickhouse-url", target)
		cmd.Env = append(append(os.Environ(), "NO_COLOR=1"), env...)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	out, err := run("SSL_CERT_FILE=" + ca)
	if err != nil || !strings.Contains(out, `"CreateTable"`) {
		t.Fatalf("plan over https: %v\n%s", err, out)
	}
	out, err = run("SSL_CERT_FILE=" + filepath.Join(t.TempDir(), "none.pem"))
	if err == nil || !strings.Contains(out, "certificate") {
		t.Fatalf("an unknown certificate should be refused: %v\n%s", err, out)
	}
}

// TestNativeURL: plan, generate and migrate over the native protocol
// (clickhouse://), which the embedded engine also serves.
func TestNativeURL(t *testing.T) {
	srv := chtest.Start(t, "prod")
	dir := newPlanningProject(t).dir
	target := fmt.Sprintf("clickhouse://%s:%s@%s/prod", chtest.User, chtest.Password, srv.NativeAddr)
	run := func(args ...string) string { t.Helper(); return runAgainst(t, dir, target, args...) }
	if out := run("plan", "--json"); !strings.Contains(out, `"CreateTable"`) {
		t.Fatalf("plan over the native protocol:\n%s", out)
	}
	run("generate", "migration", "--save")
	if out := run("migrate"); !strings.Contains(out, "[1/1] Creating table 'PageView'") {
		t.Fatalf("migrate over the native protocol:\n%s", out)
	}
	if tables, err := srv.Client.Tables(t.Context(), "prod"); err != nil || tables["PageView"] == nil {
		t.Fatalf("migrate did not create the table: %v %v", tables, err)
	}
	if out := run("migrate"); !strings.Contains(out, "already match") {
		t.Fatalf("second migrate:\n%s", out)
	}
}
