package main

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/moose-dev/moose-dev/broker"
	"github.com/moose-dev/moose-dev/internal/chtest"
	"github.com/twmb/franz-go/pkg/kfake"
)

// testCA is a TLS server certificate for 127.0.0.1 (httptest's) and a
// file with it as the only root, for SSL_CERT_FILE.
func testCA(t *testing.T) (*httptest.Server, string) {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o644); err != nil {
		t.Fatal(err)
	}
	return srv, ca
}

// startDev runs `moose-dev dev` on the project with extra environment.
func (p *devProject) startDev(env []string, args ...string) {
	p.t.Helper()
	p.cmd = exec.Command(moosedevBinary(p.t), append([]string{"dev", "-p", p.dir}, args...)...)
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	p.cmd.Env = append(append(os.Environ(), "NO_COLOR=1"), env...)
	if err := p.cmd.Start(); err != nil {
		p.t.Fatal(err)
	}
	p.t.Cleanup(func() { p.cmd.Process.Kill(); p.cmd.Wait() })
	p.waitOutput("Watching", 1)
}

// `[clickhouse_config] use_ssl = true` speaks HTTPS to host:host_port, as
// upstream, verified against the system's roots (a test CA here); the
// engine behind a TLS proxy plays the user's ClickHouse.
func TestUseSSLIsHTTPSToYourClickHouse(t *testing.T) {
	srv := chtest.Start(t, "local")
	backend, _ := url.Parse("http://" + srv.Addr)
	var seen atomic.Int64
	proxy := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen.Add(1)
		httputil.NewSingleHostReverseProxy(backend).ServeHTTP(w, r)
	}))
	proxy.StartTLS()
	defer proxy.Close()
	ca := filepath.Join(t.TempDir(), "ca.pem")
	os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: proxy.Certificate().Raw}), 0o644)
	host, port, _ := net.SplitHostPort(strings.TrimPrefix(proxy.URL, "https://"))
	p := newPlanningProject(t)
	cfg := fmt.Sprintf("[features]\nstreaming_engine = false\n[clickhouse_config]\nuse_ssl = true\nhost = %q\nhost_port = %s\nuser = %q\npassword = %q\n",
		host, port, chtest.User, chtest.Password)
	p.write(filepath.Join("..", "moose.config.toml"), cfg)
	p.startDev([]string{"SSL_CERT_FILE=" + ca}, "--infra", "external")
	tables, err := srv.Client.Tables(t.Context(), "local")
	if err != nil || tables["PageView"] == nil {
		t.Fatalf("the table was not created through TLS: %v %v\n%s", tables, err, p.out.String())
	}
	if seen.Load() == 0 {
		t.Fatal("nothing reached the TLS endpoint")
	}
	if want := "https://" + net.JoinHostPort(host, port); !strings.Contains(p.out.String(), want) || strings.Contains(p.out.String(), "http://"+net.JoinHostPort(host, port)) {
		t.Fatalf("the connection details must say %s:\n%s", want, p.out.String())
	}
}

// TLS and SASL settings that cannot apply are refused at their line, with
// nothing started.
func TestSecuritySettingsThatCannotApplyAreRefused(t *testing.T) {
	for _, c := range []struct {
		name, cfg string
		args      []string
		want      string
	}{
		{"use_ssl on the embedded engine", "[clickhouse_config]\nuse_ssl = true\n", []string{"--infra", "embedded"},
			"moose.config.toml:2:1: clickhouse_config.use_ssl = true: the ClickHouse moose-dev starts itself (embedded or in Docker) serves plain HTTP on 127.0.0.1; use_ssl is for your own ClickHouse (--infra external)"},
		{"use_ssl with a plain URL", "[features]\nstreaming_engine = false\n[clickhouse_config]\nuse_ssl = true\n", []string{"--clickhouse-url", "http://u:p@127.0.0.1:1/db"},
			"moose.config.toml:4:1: clickhouse_config.use_ssl = true, but --clickhouse-url is not TLS: use https://... (or clickhouse://...?secure=true)"},
		{"SASL on the embedded broker", "[redpanda_config]\nsecurity_protocol = \"SASL_SSL\"\nsasl_mechanism = \"PLAIN\"\nsasl_username = \"u\"\nsasl_password = \"p\"\n", []string{"--infra", "embedded"},
			"moose.config.toml:2:1: redpanda_config.security_protocol = \"SASL_SSL\": the broker moose-dev starts itself (embedded or in Docker) takes plain connections and has no users; TLS and SASL are for your own broker (--infra external)"},
		{"credentials without SASL", "[kafka_config]\nsasl_username = \"u\"\n", []string{"--infra", "external"},
			"moose.config.toml:2:1: redpanda_config.sasl_username is set but security_protocol is PLAINTEXT (the default): SASL applies only with SASL_PLAINTEXT or SASL_SSL"},
	} {
		p := newPlanningProject(t)
		p.write(filepath.Join("..", "moose.config.toml"), c.cfg)
		cmd := exec.Command(moosedevBinary(t), append([]string{"dev", "-p", p.dir}, c.args...)...)
		cmd.Env = append(os.Environ(), "NO_COLOR=1")
		out, err := cmd.CombinedOutput()
		if err == nil || !strings.Contains(string(out), "Error: "+c.want+"\n") {
			t.Errorf("%s: %v\n%s", c.name, err, out)
		}
		if _, err := os.Stat(filepath.Join(p.dir, ".moose", "clickhouse")); err == nil {
			t.Errorf("%s: an engine was started", c.name)
		}
	}
}

// The broker's SASL_SSL settings reach your broker: the daemon creates
// the project's topic on a broker that requires TLS and SCRAM.
func TestSASLSSLReachesYourBroker(t *testing.T) {
	srv := chtest.Start(t, "local")
	tlsSrv, ca := testCA(t)
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.EnableSASL(), kfake.Superuser("SCRAM-SHA-256", "alice", "secret"),
		kfake.TLS(tlsSrv.TLS.Clone()),
		kfake.ListenFn(func(network, _ string) (net.Listener, error) { return net.Listen(network, "127.0.0.1:0") }))
	if err != nil {
		t.Fatal(err)
	}
	defer cluster.Close()
	addr := cluster.ListenAddrs()[0]
	p := &devProject{t: t, dir: t.TempDir(), out: &syncBuffer{}}
	p.write(filepath.Join("..", "moose.config.toml"), fmt.Sprintf("[redpanda_config]\nbroker = %q\nsecurity_protocol = \"SASL_SSL\"\n"+
		"sasl_mechanism = \"SCRAM-SHA-256\"\nsasl_username = \"alice\"\nsasl_password = \"secret\"\n", addr))
	p.write("models.py", e2eModels)
	p.write("main.py", e2eMain)
	p.startDev([]string{"SSL_CERT_FILE=" + ca}, "--clickhouse-url", fmt.Sprintf("http://%s:%s@%s/local", chtest.User, chtest.Password, srv.Addr))
	sec, err := broker.ParseSecurity("SASL_SSL", "SCRAM-SHA-256", "alice", "secret")
	if err != nil {
		t.Fatal(err)
	}
	sec.TLS.RootCAs = x509.NewCertPool()
	sec.TLS.RootCAs.AddCert(tlsSrv.Certificate())
	topics, err := (&broker.Admin{Addr: addr, Security: sec}).Topics(context.Background())
	if err != nil || topics["PageView"].Partitions != 1 {
		t.Fatalf("the topic was not created on the broker: %v %v\n%s", topics, err, p.out.String())
	}
}

// [features] apis = false and ddl_plan = true change nothing moose-dev
// does; it says so instead of ignoring them.
func TestFeatureKeysThatChangeNothingAreSaid(t *testing.T) {
	srv := chtest.Start(t, "local")
	p := newPlanningProject(t)
	p.write(filepath.Join("..", "moose.config.toml"), "[features]\nstreaming_engine = false\napis = false\nddl_plan = true\n")
	p.startDev(nil, "--clickhouse-url", fmt.Sprintf("http://%s:%s@%s/local", chtest.User, chtest.Password, srv.Addr))
	for _, want := range []string{
		"           APIs [features] apis = false: consumption APIs are not served (moose-dev answers them 501 either way); ingest APIs still are\n",
		"       DDL plan [features] ddl_plan = true: the dev loop applies changes directly, as upstream's moose dev does; production changes go through a reviewed migrations/plan.yaml (moose-dev generate migration, then migrate)\n",
	} {
		if !strings.Contains(p.out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, p.out.String())
		}
	}
}
