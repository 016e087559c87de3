package docker

import (
	"context"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

func TestPingAnEngineOnAUnixSocket(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "docker.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/_ping" {
			w.Write([]byte("OK"))
			return
		}
		http.NotFound(w, r)
	})}
	go srv.Serve(ln)
	defer srv.Close()
	if err := Ping(context.Background(), "unix", sock); err != nil {
		t.Fatalf("want the engine found, got %v", err)
	}
}

func TestPingSaysDockerIsNotRunning(t *testing.T) {
	err := Ping(context.Background(), "unix", filepath.Join(t.TempDir(), "missing.sock"))
	if err == nil || !strings.Contains(err.Error(), "Docker is not running") {
		t.Fatalf("got %v", err)
	}
}

func TestEndpointFromDockerHost(t *testing.T) {
	t.Setenv("DOCKER_HOST", "tcp://127.0.0.1:2375")
	n, a, err := Endpoint()
	if err != nil || n != "tcp" || a != "127.0.0.1:2375" {
		t.Fatalf("%s %s %v", n, a, err)
	}
	t.Setenv("DOCKER_HOST", "ssh://host")
	if _, _, err := Endpoint(); err == nil {
		t.Fatal("want an error for ssh://")
	}
	t.Setenv("DOCKER_HOST", "")
	if n, a, _ := Endpoint(); n != "unix" || a != DefaultSocket {
		t.Fatalf("%s %s", n, a)
	}
}
