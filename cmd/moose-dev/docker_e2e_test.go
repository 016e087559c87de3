package main

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/moose-dev/moose-dev/docker"
)

// TestDevInDocker runs the dev loop on the Docker provider, chosen by
// --infra auto because a Docker engine answers. Opt-in: MOOSE_DOCKER_TESTS=1
// (and, without registry access, the stand-in images of
// docker/testdata/standin-images.sh named by MOOSE_DEV_*_IMAGE).
func TestDevInDocker(t *testing.T) {
	if os.Getenv("MOOSE_DOCKER_TESTS") != "1" {
		t.Skip("Docker tests are opt-in: MOOSE_DOCKER_TESTS=1")
	}
	t.Setenv("TESTCONTAINERS_HOST_OVERRIDE", "127.0.0.1")
	p := newDevProject(t)
	names := []string{}
	for _, role := range []string{"clickhouse", "redpanda"} {
		names = append(names, "moose-dev-"+strings.ToLower(docker.ProjectName(p.dir))+"-"+role)
	}
	t.Cleanup(func() {
		exec.Command("docker", append([]string{"rm", "-f", "-v"}, names...)...).Run()
		for _, n := range names {
			exec.Command("docker", "volume", "rm", n+"-data").Run()
		}
	})
	p.startWith("--infra", "auto")
	if !strings.Contains(p.out.String(), "development mode in Docker") {
		t.Fatalf("auto with a Docker engine should pick Docker:\n%s", p.out.String())
	}
	if got := p.columns("PageView"); !strings.Contains(got, `"duration_ms","Int64"`) {
		t.Fatalf("the table in the ClickHouse container:\n%s", got)
	}
	p.query("INSERT INTO local.PageView (id, url, duration_ms) VALUES ('a', '/', 5)")
	p.edit("models.py", "duration_ms: int\n", "duration_ms: int\n    country: str\n")
	deadline := time.Now().Add(60 * time.Second)
	for !strings.Contains(p.columns("PageView"), `"country","String"`) {
		if time.Now().After(deadline) {
			t.Fatalf("the added column never reached the container:\n%s", p.out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	p.cmd.Process.Signal(syscall.SIGINT)
	if err := p.cmd.Wait(); err != nil {
		t.Fatalf("exit after Ctrl-C: %v\n%s", err, p.out.String())
	}
	for _, n := range names {
		out, _ := exec.Command("docker", "inspect", "-f", "{{.State.Running}}", n).Output()
		if strings.TrimSpace(string(out)) != "false" {
			t.Errorf("%s after Ctrl-C: running=%q, want stopped (and kept)", n, out)
		}
	}

	p.out = &syncBuffer{}
	p.startWith("--infra", "docker")
	if got := p.query("SELECT id, country FROM local.PageView FORMAT CSV"); got != "\"a\",\"\"\n" {
		t.Fatalf("rows after a restart: %q", got)
	}
	p.cmd.Process.Signal(syscall.SIGINT)
	p.cmd.Wait()
}

// TestIngestInDocker: the data plane on Redpanda in Docker (opt-in, as
// TestDevInDocker): a POSTed record reaches the ClickHouse container.
func TestIngestInDocker(t *testing.T) {
	if os.Getenv("MOOSE_DOCKER_TESTS") != "1" {
		t.Skip("Docker tests are opt-in: MOOSE_DOCKER_TESTS=1")
	}
	t.Setenv("TESTCONTAINERS_HOST_OVERRIDE", "127.0.0.1")
	p := newDevProject(t)
	p.write("main.py", ingestMain)
	t.Cleanup(func() {
		for _, role := range []string{"clickhouse", "redpanda"} {
			n := "moose-dev-" + strings.ToLower(docker.ProjectName(p.dir)) + "-" + role
			exec.Command("docker", "rm", "-f", "-v", n).Run()
			exec.Command("docker", "volume", "rm", n+"-data").Run()
		}
	})
	p.startWith("--infra", "docker")
	resp, err := http.Post(fmt.Sprintf("http://127.0.0.1:%d/ingest/PageView", p.httpPort), "application/json",
		strings.NewReader(`{"id":"d1","url":"/","duration_ms":3}`))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("POST: %v %v\n%s", resp, err, p.out.String())
	}
	p.waitQuery("SELECT id FROM local.PageView FORMAT CSV", "\"d1\"\n")
	p.cmd.Process.Signal(syscall.SIGINT)
	p.cmd.Wait()
}
