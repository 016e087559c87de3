// Package docker owns moose-dev's knowledge of Docker: whether an engine
// answers (so `moose-dev dev --infra auto` can pick it and say why), and the
// provider that runs ClickHouse, Redpanda and Temporal in containers through
// testcontainers-go, named per project and reused across restarts, with
// their data in named volumes and their ports on loopback.
package docker

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

// DefaultSocket is where a local Docker engine listens.
const DefaultSocket = "/var/run/docker.sock"

// Endpoint returns how to reach the engine: DOCKER_HOST when set
// (unix:// or tcp://), else the default socket.
func Endpoint() (network, address string, err error) {
	host := os.Getenv("DOCKER_HOST")
	if host == "" {
		return "unix", DefaultSocket, nil
	}
	u, err := url.Parse(host)
	if err != nil {
		return "", "", fmt.Errorf("DOCKER_HOST %q: %w", host, err)
	}
	switch u.Scheme {
	case "unix":
		return "unix", u.Path, nil
	case "tcp":
		return "tcp", u.Host, nil
	}
	return "", "", fmt.Errorf("DOCKER_HOST %q: unsupported scheme %q", host, u.Scheme)
}

// Ping reports whether a Docker engine answers at network/address, with
// the reason when it does not.
func Ping(ctx context.Context, network, address string) error {
	client := &http.Client{
		Timeout: 2 * time.Second,
		Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, address)
		}},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://docker/_ping", nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		if strings.Contains(err.Error(), "no such file") || strings.Contains(err.Error(), "connection refused") {
			return fmt.Errorf("Docker is not running (nothing answers at %s)", address)
		}
		return fmt.Errorf("Docker at %s: %w", address, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("Docker at %s answered %s", address, resp.Status)
	}
	return nil
}

// Available reports whether the configured Docker engine answers.
func Available(ctx context.Context) error {
	network, address, err := Endpoint()
	if err != nil {
		return err
	}
	return Ping(ctx, network, address)
}
