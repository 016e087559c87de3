package dataplane

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/moose-dev/moose-dev/broker"
	"github.com/moose-dev/moose-dev/infra"
	"github.com/segmentio/kafka-go"
)

// DefaultMaxBodySize is upstream's http_server_config max_request_body_size.
const DefaultMaxBodySize = 10 << 20

// Server is the dev server's HTTP side: ingest APIs, /health, /ready and
// /liveness, the admin routes (Admin), and a 501 for the routes that run
// user code moose-dev does not run (consumption APIs).
type Server struct {
	Producer    *kafka.Writer
	MaxBodySize int
	// IngestKey, when set, is the bearer token ingest requests must carry
	// (upstream's MOOSE_INGEST_API_KEY).
	IngestKey string
	Admin     http.Handler // serves /admin/...; nil: 404
	// Checks are the readiness probes by component ("ClickHouse",
	// "Redpanda"), for /health and /ready.
	Checks map[string]func(context.Context) error
	// Received, when set, is told of each accepted request (the API's
	// name), and Refused of each refused one (with why).
	Received func(api string, records int)
	Refused  func(api, msg string)

	routes atomic.Pointer[routeTable]
}

type routeTable struct {
	ingest   map[string]*IngestRoute // by lower-cased path
	userAPIs []string                // consumption APIs' paths
}

// SetMap serves the ingest APIs of m (called after each reload).
func (s *Server) SetMap(m *infra.Map, topics *broker.Admin) {
	t := &routeTable{ingest: map[string]*IngestRoute{}}
	for path, r := range IngestRoutes(m, topics) {
		t.ingest[strings.ToLower(path)] = r
	}
	for _, a := range m.APIEndpoints {
		if a.Method != "POST" {
			t.userAPIs = append(t.userAPIs, a.Path)
		}
	}
	sort.Strings(t.userAPIs)
	s.routes.Store(t)
}

func (s *Server) table() *routeTable {
	if t := s.routes.Load(); t != nil {
		return t
	}
	return &routeTable{}
}

// ServeHTTP routes a request as upstream's local web server does.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := strings.Trim(r.URL.Path, "/")
	segs := strings.Split(path, "/")
	switch {
	case r.Method == http.MethodPost && len(segs) >= 2 && segs[0] == "ingest":
		s.ingest(w, r, path)
	case len(segs) >= 1 && (segs[0] == "api" || segs[0] == "consumption") && len(segs) >= 2:
		text(w, http.StatusNotImplemented, fmt.Sprintf("moose-dev does not run consumption APIs (user code): %s is declared in the project but not served here; run it under upstream's moose dev", strings.Join(segs[1:], "/")))
	case r.Method == http.MethodGet && path == "health":
		s.health(w, r, http.StatusServiceUnavailable)
	case r.Method == http.MethodGet && path == "ready":
		s.health(w, r, http.StatusServiceUnavailable)
	case r.Method == http.MethodGet && path == "liveness":
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		io.WriteString(w, "{\n  \"healthy\": [],\n  \"unhealthy\": []\n}")
	case segs[0] == "admin" && s.Admin != nil:
		s.Admin.ServeHTTP(w, r)
	default:
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, "MooseStack: 404 Not Found\nTo see available routes, run: `moose ls` or view Fiveonefour dashboard")
	}
}

func text(w http.ResponseWriter, code int, body string) {
	w.WriteHeader(code)
	io.WriteString(w, body)
}

// health answers /health and /ready: each component's probe, as upstream's
// `{"healthy": [...], "unhealthy": [...]}`, 200 when all pass.
func (s *Server) health(w http.ResponseWriter, r *http.Request, failCode int) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	names := make([]string, 0, len(s.Checks))
	for n := range s.Checks {
		names = append(names, n)
	}
	sort.Strings(names)
	healthy, unhealthy := []string{}, []string{}
	for _, n := range names {
		if err := s.Checks[n](ctx); err != nil {
			unhealthy = append(unhealthy, n)
		} else {
			healthy = append(healthy, n)
		}
	}
	code := http.StatusOK
	if len(unhealthy) > 0 {
		code = failCode
	}
	b, _ := json.MarshalIndent(map[string][]string{"healthy": healthy, "unhealthy": unhealthy}, "", "  ")
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	w.Write(b)
}

// resolve finds an ingest route: case-insensitively, and `ingest/<name>`
// as the highest version of it when the API is versioned.
func (t *routeTable) resolve(path string) *IngestRoute {
	p := strings.ToLower(path)
	if r, ok := t.ingest[p]; ok && strings.Count(p, "/") != 1 {
		return r
	}
	if strings.Count(p, "/") == 1 {
		var best *IngestRoute
		var bestV []int
		for k, r := range t.ingest {
			rest, ok := strings.CutPrefix(k, p+"/")
			if !ok {
				continue
			}
			if v, ok := parseVersion(rest); ok && (best == nil || compareVersions(v, bestV) > 0) {
				best, bestV = r, v
			}
		}
		if best != nil {
			return best
		}
		return t.ingest[p]
	}
	return nil
}

func parseVersion(s string) ([]int, bool) {
	var out []int
	for _, part := range strings.Split(s, ".") {
		n := 0
		if part == "" {
			return nil, false
		}
		for _, c := range part {
			if c < '0' || c > '9' {
				return nil, false
			}
			n = n*10 + int(c-'0')
		}
		out = append(out, n)
	}
	return out, true
}

func compareVersions(a, b []int) int {
	for i := 0; i < len(a) || i < len(b); i++ {
		var x, y int
		if i < len(a) {
			x = a[i]
		}
		if i < len(b) {
			y = b[i]
		}
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	return 0
}

func (s *Server) ingest(w http.ResponseWriter, r *http.Request, path string) {
	if s.IngestKey != "" {
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || subtle.ConstantTimeCompare([]byte(tok), []byte(s.IngestKey)) != 1 {
			text(w, http.StatusUnauthorized, "Unauthorized: Invalid or missing token")
			return
		}
	}
	route := s.table().resolve(path)
	if route == nil {
		text(w, http.StatusNotFound, "Please run `moose ls` to view your routes")
		return
	}
	limit := s.MaxBodySize
	if limit <= 0 {
		limit = DefaultMaxBodySize
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, int64(limit)))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			text(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("Request body too large. Maximum size is %d bytes", limit))
			return
		}
		text(w, http.StatusBadRequest, "Failed to read request body")
		return
	}
	records, verr := route.Model.Records(body)
	if verr != nil {
		msg := verr.Msg
		if verr.Record >= 0 {
			msg = fmt.Sprintf("%s (record %d)", msg, verr.Record)
		}
		if route.DLQ != "" {
			s.deadLetter(r.Context(), route, body, verr.Msg)
		}
		if s.Refused != nil {
			s.Refused(route.Name, "Invalid JSON: "+msg)
		}
		text(w, http.StatusBadRequest, "Invalid JSON: "+msg)
		return
	}
	if len(records) > 0 {
		msgs := make([]kafka.Message, len(records))
		for i, rec := range records {
			msgs[i] = kafka.Message{Topic: route.Topic, Value: rec}
		}
		if err := s.Producer.WriteMessages(r.Context(), msgs...); err != nil {
			if s.Refused != nil {
				s.Refused(route.Name, fmt.Sprintf("writing %d record(s) to %s: %v", len(records), route.Topic, err))
			}
			text(w, http.StatusInternalServerError, "Error")
			return
		}
	}
	if s.Received != nil {
		s.Received(route.Name, len(records))
	}
	text(w, http.StatusOK, "SUCCESS")
}

// deadLetter sends every object of a refused request to the API's dead
// letter queue, as upstream does.
func (s *Server) deadLetter(ctx context.Context, route *IngestRoute, body []byte, msg string) {
	objs := Objects(body)
	if len(objs) == 0 {
		return
	}
	now := time.Now()
	msgs := make([]kafka.Message, len(objs))
	for i, o := range objs {
		msgs[i] = kafka.Message{Topic: route.DLQ, Value: DeadLetter(o, msg, "ValidationError", "api", now,
			deadLetterExtra{"requestBody", string(body)}, deadLetterExtra{"topic", route.Topic})}
	}
	if err := s.Producer.WriteMessages(ctx, msgs...); err != nil && s.Refused != nil {
		s.Refused(route.Name, fmt.Sprintf("writing to the dead letter queue %s: %v", route.DLQ, err))
	}
}
