package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/moose-dev/moose-dev/admin"
	"github.com/moose-dev/moose-dev/dataplane"
	"github.com/moose-dev/moose-dev/devloop"
	"github.com/moose-dev/moose-dev/display"
	"github.com/moose-dev/moose-dev/infra"
	"github.com/moose-dev/moose-dev/internal/portowner"
	"github.com/moose-dev/moose-dev/project"
)

// dataPlane is the dev server's HTTP side and stream-to-table sync.
type dataPlane struct {
	plane *dataplane.Plane
	addr  string
	stop  func()
}

// listenDevServer takes [http_server_config] host:port before anything is
// started, so that a taken port is said at once, naming its holder.
func listenDevServer(proj *project.Project) (net.Listener, error) {
	h := proj.Config.HTTPServer
	addr := net.JoinHostPort(h.Host, strconv.Itoa(h.Port))
	ln, err := net.Listen("tcp", addr)
	// a predecessor killed a moment ago (its lock just taken over) may still
	// be exiting: give its socket a moment to go
	for deadline := time.Now().Add(3 * time.Second); errors.Is(err, syscall.EADDRINUSE) && time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond)
		ln, err = net.Listen("tcp", addr)
	}
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			err = errors.New(portowner.Taken(h.Port)) // names the process holding it
		}
		return nil, fmt.Errorf("the dev server on %s: %v (change [http_server_config] port, or stop what holds it)", addr, err)
	}
	return ln, nil
}

// startDataPlane serves ln (ingest APIs, /health, /ready, the admin API
// when a key is set) and, with streaming, prepares the sync; both follow
// the states the loop applies.
func startDataPlane(ln net.Listener, proj *project.Project, svc *services, p *display.Printer) (*dataPlane, error) {
	cfg := proj.Config
	h := cfg.HTTPServer
	addr := ln.Addr().String()
	srv := &dataplane.Server{MaxBodySize: h.MaxRequestBodySize, IngestKey: os.Getenv("MOOSE_INGEST_API_KEY"),
		Checks: map[string]func(context.Context) error{"ClickHouse": func(ctx context.Context) error { return svc.client.Exec(ctx, "SELECT 1") }},
		Received: func(api string, n int) {
			p.Successf("[POST]", "Data received at ingest API sink for %s", api)
		},
		Refused: func(api, msg string) { p.Print(display.Line{Kind: display.Error, Action: "ERROR", Message: msg}) }}
	if key := cfg.Authentication.AdminAPIKey; key != "" {
		statePath := filepath.Join(proj.StateDir(), devloop.StateFile)
		srv.Admin = admin.Handler(key, func() ([]byte, error) { return os.ReadFile(statePath) })
	}
	dp := &dataPlane{addr: addr, plane: &dataplane.Plane{Server: srv, Topics: svc.topics}}
	var closers []func()
	report := func(kind, msg string) { p.Warnf(kind, "%s", msg) }
	if svc.topics != nil {
		w := svc.topics.Writer()
		closers = append(closers, func() { w.Close() })
		srv.Producer = w
		srv.Checks["Redpanda"] = func(ctx context.Context) error { _, err := svc.topics.Topics(ctx); return err }
		dp.plane.Sync = &dataplane.Sync{Topics: svc.topics, ClickHouse: svc.client, Producer: w, Report: report}
		closers = append([]func(){dp.plane.Sync.Close}, closers...)
	}
	var handler http.Handler = srv
	if prefix := strings.Trim(h.PathPrefix, "/"); prefix != "" {
		handler = http.StripPrefix("/"+prefix, srv)
	}
	hs := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(ln)
	dp.stop = func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		hs.Shutdown(ctx) // requests under way finish: what they were told is true
		for _, c := range closers {
			c()
		}
	}
	return dp, nil
}

// announce prints where the server answers and what it does not run.
func (dp *dataPlane) announce(p *display.Printer, proj *project.Project, state *infra.Map) {
	base := serverURL(proj)
	p.Infof("Server", "%s (ingest APIs, /health, /ready)", base)
	if proj.Config.Authentication.AdminAPIKey != "" {
		p.Infof("Admin API", "%s%s (Authorization: Bearer <token>)", base, admin.InframapPath)
	}
	if state == nil {
		return
	}
	var userCode []string
	for _, f := range state.FunctionProcesses {
		if f.TargetTopicID != nil {
			userCode = append(userCode, fmt.Sprintf("transform %s -> %s", f.SourceTopicID, *f.TargetTopicID))
		} else {
			userCode = append(userCode, "consumer of "+f.SourceTopicID)
		}
	}
	for _, a := range state.APIEndpoints {
		if a.Method != "POST" {
			userCode = append(userCode, "API /"+a.Path+" (answered 501)")
		}
	}
	for _, w := range state.WebApps {
		userCode = append(userCode, "web app "+w.MountPath)
	}
	if len(userCode) > 0 {
		sort.Strings(userCode)
		p.Warnf("User code", "moose-dev does not run your functions; not running: %s", strings.Join(userCode, ", "))
	}
}

// serverURL is the dev server's base URL.
func serverURL(proj *project.Project) string {
	h := proj.Config.HTTPServer
	host := h.Host
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "localhost"
	}
	u := "http://" + net.JoinHostPort(host, strconv.Itoa(h.Port))
	if prefix := strings.Trim(h.PathPrefix, "/"); prefix != "" {
		u += "/" + prefix
	}
	return u
}
