package docker

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// fakeEngine serves the image endpoints of the Docker Engine API on a unix
// socket: have lists the images present; pull answers /images/create.
func fakeEngine(t *testing.T, have map[string]bool, pull http.HandlerFunc) *engine {
	t.Helper()
	sock := filepath.Join(t.TempDir(), "docker.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /images/{ref...}", func(w http.ResponseWriter, r *http.Request) {
		ref := strings.TrimSuffix(r.PathValue("ref"), "/json")
		if have[ref] {
			fmt.Fprint(w, `{"Id":"sha256:1"}`)
			return
		}
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprintf(w, `{"message":"No such image: %s"}`, ref)
	})
	mux.HandleFunc("POST /images/create", pull)
	srv := &http.Server{Handler: mux}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return newEngine("unix", sock)
}

func TestEnsureImageUsesAPresentImageWithoutPulling(t *testing.T) {
	pulled := false
	eng := fakeEngine(t, map[string]bool{"clickhouse/clickhouse-server:25.8": true}, func(w http.ResponseWriter, r *http.Request) { pulled = true })
	t.Setenv(ClickHouseImage.Env, "")
	ref, err := ensureImage(context.Background(), eng, ClickHouseImage, nil)
	if err != nil || ref != "clickhouse/clickhouse-server:25.8" || pulled {
		t.Fatalf("ref %q err %v pulled %v", ref, err, pulled)
	}
}

func TestEnsureImagePullsAMissingImageAndSaysSo(t *testing.T) {
	var from, tag string
	eng := fakeEngine(t, nil, func(w http.ResponseWriter, r *http.Request) {
		from, tag = r.URL.Query().Get("fromImage"), r.URL.Query().Get("tag")
		fmt.Fprintln(w, `{"status":"Pulling from library/x"}`)
		fmt.Fprintln(w, `{"status":"Download complete"}`)
	})
	t.Setenv(RedpandaImage.Env, "localhost:5000/mirror/redpanda:v1")
	var said []string
	ref, err := ensureImage(context.Background(), eng, RedpandaImage, func(s string) { said = append(said, s) })
	if err != nil || ref != "localhost:5000/mirror/redpanda:v1" {
		t.Fatalf("ref %q err %v", ref, err)
	}
	if from != "localhost:5000/mirror/redpanda" || tag != "v1" {
		t.Fatalf("pulled %q tag %q", from, tag)
	}
	if len(said) != 1 || !strings.Contains(said[0], "pulling localhost:5000/mirror/redpanda:v1") {
		t.Fatalf("progress %q", said)
	}
}

func TestAnImageThatCannotBePulledIsExplained(t *testing.T) {
	for name, pull := range map[string]http.HandlerFunc{
		"status": func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusInternalServerError)
			fmt.Fprint(w, `{"message":"Get \"https://registry-1.docker.io/v2/\": dial tcp: lookup registry-1.docker.io: no such host"}`)
		},
		"stream": func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintln(w, `{"status":"Pulling from clickhouse/clickhouse-server"}`)
			fmt.Fprintln(w, `{"error":"manifest for clickhouse/clickhouse-server:25.8 not found: manifest unknown"}`)
		},
	} {
		t.Run(name, func(t *testing.T) {
			eng := fakeEngine(t, nil, pull)
			t.Setenv(ClickHouseImage.Env, "")
			_, err := ensureImage(context.Background(), eng, ClickHouseImage, nil)
			var pe *ImagePullError
			if !errors.As(err, &pe) {
				t.Fatalf("want an ImagePullError, got %v", err)
			}
			msg := err.Error()
			for _, want := range []string{"image clickhouse/clickhouse-server:25.8 cannot be pulled", "docker pull clickhouse/clickhouse-server:25.8", "MOOSE_DEV_CLICKHOUSE_IMAGE", "--infra embedded"} {
				if !strings.Contains(msg, want) {
					t.Errorf("message lacks %q:\n%s", want, msg)
				}
			}
			if name == "status" && !strings.Contains(msg, "no such host") || name == "stream" && !strings.Contains(msg, "manifest unknown") {
				t.Errorf("message lacks the engine's reason:\n%s", msg)
			}
		})
	}
}

func TestSplitRef(t *testing.T) {
	for ref, want := range map[string][2]string{
		"clickhouse/clickhouse-server:25.8":    {"clickhouse/clickhouse-server", "25.8"},
		"redis":                                {"redis", "latest"},
		"localhost:5000/img":                   {"localhost:5000/img", "latest"},
		"localhost:5000/img:v2":                {"localhost:5000/img", "v2"},
		"docker.redpanda.com/r/redpanda:v25.2": {"docker.redpanda.com/r/redpanda", "v25.2"},
	} {
		if n, tag := splitRef(ref); n != want[0] || tag != want[1] {
			t.Errorf("%s: %s %s", ref, n, tag)
		}
	}
}

func TestContainerNamesAreWhatDockerAccepts(t *testing.T) {
	for project, want := range map[string]string{
		"my-app":       "moose-dev-my-app-clickhouse",
		"My App (2)":   "moose-dev-my-app-2-clickhouse",
		"..":           "moose-dev-project-clickhouse",
		"données_2026": "moose-dev-donn-es_2026-clickhouse",
	} {
		if got := containerName(project, "clickhouse"); got != want {
			t.Errorf("%q: got %q want %q", project, got, want)
		}
	}
}

func TestProjectsWithTheSameNameGetTheirOwnContainers(t *testing.T) {
	a, b := ProjectName("/home/ann/app"), ProjectName("/home/bob/app")
	if a == b || !strings.HasPrefix(a, "app-") || !strings.HasPrefix(b, "app-") {
		t.Fatalf("%q %q", a, b)
	}
	if ProjectName("/home/ann/app") != a {
		t.Fatal("not stable")
	}
}

func TestPortsBindToLoopbackForALocalEngine(t *testing.T) {
	t.Setenv("TESTCONTAINERS_HOST_OVERRIDE", "")
	for _, c := range []struct{ network, address, bind, host string }{
		{"unix", "/var/run/docker.sock", "127.0.0.1", "127.0.0.1"},
		{"tcp", "127.0.0.1:2375", "127.0.0.1", "127.0.0.1"},
		{"tcp", "localhost:2375", "127.0.0.1", "127.0.0.1"},
		{"tcp", "10.1.2.3:2376", "0.0.0.0", "10.1.2.3"},
	} {
		bind, host := bindAddrs(c.network, c.address)
		if bind.String() != c.bind || host != c.host {
			t.Errorf("%s %s: bind %s host %s", c.network, c.address, bind, host)
		}
	}
	t.Setenv("TESTCONTAINERS_HOST_OVERRIDE", "127.0.0.2")
	if _, host := bindAddrs("unix", DefaultSocket); host != "127.0.0.2" {
		t.Errorf("override ignored: %s", host)
	}
}

func TestATakenPortNamesItsOwner(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	err = portsFree(port)
	want := fmt.Sprintf("port %d is taken by PID", port)
	if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "moose.config.toml") {
		t.Fatalf("want %q, got %v", want, err)
	}
	ln.Close()
	if err := portsFree(port); err != nil {
		t.Fatalf("a free port: %v", err)
	}
}

func TestDockerErrorsAreExplained(t *testing.T) {
	for _, c := range []struct {
		err  error
		want string
	}{
		{errors.New(`create container: Error response from daemon: driver failed programming external connectivity on endpoint moose-dev-a-clickhouse: Bind for 127.0.0.1:18123 failed: port is already allocated`),
			"ClickHouse: port 18123 is taken"},
		{errors.New(`start container: listen tcp4 0.0.0.0:19092: bind: address already in use`), "ClickHouse: port 19092 is taken"},
		{errors.New(`Conflict. The container name "/moose-dev-a-clickhouse" is already in use by container "abc"`),
			"docker rm -f moose-dev-a-clickhouse"},
		{fmt.Errorf("wait until ready: %w", context.DeadlineExceeded), "did not become ready in time; see docker logs moose-dev-a-clickhouse"},
		{errors.New("something else"), "ClickHouse in Docker: something else"},
	} {
		if got := explain("ClickHouse", "moose-dev-a-clickhouse", c.err).Error(); !strings.Contains(got, c.want) {
			t.Errorf("%v:\n got %s\nwant %s", c.err, got, c.want)
		}
	}
}

func TestStartSaysDockerIsNotRunning(t *testing.T) {
	t.Setenv("DOCKER_HOST", "unix://"+filepath.Join(t.TempDir(), "none.sock"))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := Start(ctx, Options{Project: "p", ClickHouse: ClickHouseOptions{HostPort: freePort(t)}})
	if err == nil || !strings.Contains(err.Error(), "Docker is not running") {
		t.Fatalf("got %v", err)
	}
}

func freePort(t *testing.T) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	p, _ := strconv.Atoi(strings.TrimPrefix(ln.Addr().String(), "127.0.0.1:"))
	return p
}
