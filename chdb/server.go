package chdb

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	chproto "github.com/ClickHouse/ch-go/proto"
	"github.com/ClickHouse/clickhouse-go/v2/lib/column"
	"github.com/ClickHouse/clickhouse-go/v2/lib/proto"
	"github.com/moose-dev/moose-dev/infra"
)

// Querier runs one statement in a format; *Session is the real one.
type Querier interface {
	Query(query, format string) ([]byte, error)
}

// Server is the ClickHouse HTTP interface over chDB sessions on one data
// directory. It accepts only the configured user and password. Each
// request runs on a free session (a lane), so that as many statements run
// at once as there are sessions: one chDB session runs one at a time.
type Server struct {
	lanes    chan *lane
	user     string
	password string
	tmpDir   string
	version  string
}

// lane is one session with the USE and SET state it carries from request
// to request.
type lane struct {
	db        Querier
	currentDB string
	settings  map[string]string // session settings applied from URL parameters
}

// notSettings are URL parameters of the HTTP interface that are not
// ClickHouse settings.
var notSettings = map[string]bool{"query": true, "database": true, "default_format": true, "user": true, "password": true,
	"query_id": true, "quota_key": true, "session_id": true, "session_timeout": true, "session_check": true,
	"client_protocol_version": true, "compress": true, "decompress": true, "enable_http_compression": true,
	"wait_end_of_query": true, "buffer_size": true, "http_native_compression_disable_checksumming_on_decompress": true}

// NewServer serves sessions (at least one, all on the same data) over
// HTTP for one user. tmpDir holds insert bodies.
func NewServer(user, password, tmpDir string, sessions ...Querier) *Server {
	s := &Server{user: user, password: password, tmpDir: tmpDir, version: "unknown", lanes: make(chan *lane, len(sessions))}
	for _, db := range sessions {
		s.lanes <- &lane{db: db, currentDB: "default", settings: map[string]string{}}
	}
	if out, err := sessions[0].Query("SELECT version()", "TabSeparated"); err == nil {
		s.version = strings.TrimSpace(string(out))
	}
	return s
}

// helloQuery is what clickhouse-go sends first over HTTP.
const helloQuery = "SELECT displayName(), version(), revision(), timezone()"

var reFormatTail = regexp.MustCompile(`(?is)\sFORMAT\s+(\w+)\s*;?\s*$`)

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/ping":
		io.WriteString(w, "Ok.\n")
		return
	case "/", "/query":
	default:
		s.fail(w, &QueryError{Code: 1000, Msg: fmt.Sprintf("Code: 1000. DB::Exception: There is no handle %s. (UNKNOWN)", r.URL.Path)}, http.StatusNotFound)
		return
	}
	params := r.URL.Query()
	if r.Method == http.MethodGet && params.Get("query") == "" {
		io.WriteString(w, "Ok.\n") // a health check, answered before auth as ClickHouse does
		return
	}
	if err := s.authenticate(r, params); err != nil {
		s.fail(w, err, http.StatusUnauthorized)
		return
	}
	body, err := readBody(r, params)
	if err != nil {
		s.fail(w, err, http.StatusBadRequest)
		return
	}
	query := params.Get("query")
	var data []byte
	switch {
	case query == "":
		query = string(body)
	case len(body) > 0 && isInsert(query):
		data = body
	case len(body) > 0:
		query += " " + string(body)
	}
	if strings.TrimSpace(query) == "" {
		s.fail(w, &QueryError{Code: 62, Msg: "Code: 62. DB::Exception: Empty query. (SYNTAX_ERROR)"}, http.StatusBadRequest)
		return
	}
	if strings.TrimSpace(query) == helloQuery {
		rev, _ := strconv.ParseUint(params.Get("client_protocol_version"), 10, 64)
		s.hello(w, r, params, rev)
		return
	}
	format := params.Get("default_format")
	if m := reFormatTail.FindStringSubmatch(query); m != nil && !isInsert(query) {
		format = m[1]
	}
	if format == "" {
		format = "TabSeparated"
	}
	settings, queryParams := map[string]string{}, map[string]string{}
	for k, v := range params {
		switch {
		case len(v) == 0:
		case strings.HasPrefix(k, "param_"):
			queryParams[k] = v[0]
		case !notSettings[k] && !strings.HasSuffix(k, "_format") && !strings.HasSuffix(k, "_structure"):
			settings[k] = v[0]
		}
	}
	out, err := s.run(params.Get("database"), settings, queryParams, query, format, data)
	if err != nil {
		var qe *QueryError
		if !errors.As(err, &qe) {
			qe = &QueryError{Code: 1000, Msg: err.Error()}
		}
		s.fail(w, qe, statusFor(qe.Code))
		return
	}
	w.Header().Set("X-ClickHouse-Format", format)
	w.Header().Set("Content-Type", contentType(format))
	writeBody(w, r, params, out)
}

func isInsert(q string) bool {
	return strings.HasPrefix(strings.ToUpper(strings.TrimSpace(q)), "INSERT")
}

func contentType(format string) string {
	switch strings.ToLower(format) {
	case "json", "jsoncompact", "jsoneachrow":
		return "application/json; charset=UTF-8"
	case "native", "rowbinary":
		return "application/octet-stream"
	}
	return "text/plain; charset=UTF-8"
}

// run executes on a free lane, switching database first when asked, and
// feeding an insert body through a temporary file (chDB reads no stdin).
// Settings given as URL parameters are applied to the lane's session with
// SET (and stay until changed): a dev server, not a multi-tenant one.
// Query parameters (param_x for {x:Type}) are set the same way, as the
// string the URL carried, for every request that gives them.
func (s *Server) run(database string, settings, queryParams map[string]string, query, format string, data []byte) ([]byte, error) {
	l := <-s.lanes
	defer func() { s.lanes <- l }()
	for k, v := range queryParams {
		if _, err := l.db.Query("SET "+quoteIdent(k)+" = "+quoteString(v), "TabSeparated"); err != nil {
			return nil, err
		}
	}
	for k, v := range settings {
		if l.settings[k] == v {
			continue
		}
		if _, err := l.db.Query("SET "+quoteIdent(k)+" = "+settingLiteral(v), "TabSeparated"); err != nil {
			return nil, err
		}
		l.settings[k] = v
	}
	if database != "" && database != l.currentDB {
		if _, err := l.db.Query("USE "+quoteIdent(database), "TabSeparated"); err != nil {
			return nil, err
		}
		l.currentDB = database
	}
	if data != nil {
		f, err := os.CreateTemp(s.tmpDir, "insert-*.bin")
		if err != nil {
			return nil, err
		}
		defer os.Remove(f.Name())
		if _, err := f.Write(data); err != nil {
			f.Close()
			return nil, err
		}
		f.Close()
		loc := reFormatTail.FindStringSubmatchIndex(query)
		if loc == nil {
			return nil, &QueryError{Code: 62, Msg: "Code: 62. DB::Exception: INSERT with a request body needs a FORMAT clause. (SYNTAX_ERROR)"}
		}
		query = query[:loc[0]] + " FROM INFILE " + quoteString(filepath.ToSlash(f.Name())) + " FORMAT " + query[loc[2]:loc[3]]
	}
	out, err := l.db.Query(query, format)
	// a USE or SET sent as a statement changes the session behind the
	// lane's back: what it knows is then forgotten, and set again when
	// a request asks for it
	switch firstWord(query) {
	case "USE":
		l.currentDB = ""
	case "SET":
		l.settings = map[string]string{}
	}
	return out, err
}

func quoteIdent(s string) string { return infra.QuoteIdent(s) }
func quoteString(s string) string {
	return "'" + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), `'`, `\'`) + "'"
}

func (s *Server) authenticate(r *http.Request, params map[string][]string) error {
	user, pass, ok := r.BasicAuth()
	if !ok {
		user, pass = r.Header.Get("X-ClickHouse-User"), r.Header.Get("X-ClickHouse-Key")
	}
	if user == "" {
		if u := params["user"]; len(u) > 0 {
			user = u[0]
		}
		if p := params["password"]; len(p) > 0 {
			pass = p[0]
		}
	}
	if user == "" {
		user = "default"
	}
	userOK := subtle.ConstantTimeCompare([]byte(user), []byte(s.user)) == 1
	passOK := subtle.ConstantTimeCompare([]byte(pass), []byte(s.password)) == 1
	if userOK && passOK {
		return nil
	}
	return &QueryError{Code: 516, Msg: fmt.Sprintf("Code: 516. DB::Exception: %s: Authentication failed: password is incorrect, or there is no user with such name. (AUTHENTICATION_FAILED)", user)}
}

func statusFor(code int) int {
	switch code {
	case 62: // SYNTAX_ERROR
		return http.StatusBadRequest
	case 60, 81: // UNKNOWN_TABLE, UNKNOWN_DATABASE
		return http.StatusNotFound
	}
	return http.StatusInternalServerError
}

func (s *Server) fail(w http.ResponseWriter, err error, status int) {
	code := 1000
	var qe *QueryError
	if errors.As(err, &qe) {
		code = qe.Code
	}
	w.Header().Set("X-ClickHouse-Exception-Code", fmt.Sprint(code))
	w.Header().Set("Content-Type", "text/plain; charset=UTF-8")
	w.WriteHeader(status)
	msg := err.Error()
	if !strings.HasSuffix(msg, "\n") {
		msg += "\n"
	}
	io.WriteString(w, msg)
}

// hello answers clickhouse-go's handshake query with a Native block encoded
// by clickhouse-go's own encoder at the revision the client announced,
// reporting revision 0 in it: the plain Native format chDB writes is what
// clickhouse-go then decodes at revision 0.
func (s *Server) hello(w http.ResponseWriter, r *http.Request, params url.Values, clientRevision uint64) {
	block := proto.NewBlock()
	for _, c := range []struct{ name, typ string }{{"displayName()", "String"}, {"version()", "String"},
		{"revision()", "UInt32"}, {"timezone()", "String"}} {
		if err := block.AddColumn(c.name, column.Type(c.typ)); err != nil {
			s.fail(w, err, http.StatusInternalServerError)
			return
		}
	}
	if err := block.Append("moose-dev chDB", s.version, uint32(0), "UTC"); err != nil {
		s.fail(w, err, http.StatusInternalServerError)
		return
	}
	buf := new(chproto.Buffer)
	if err := block.Encode(buf, clientRevision); err != nil {
		s.fail(w, err, http.StatusInternalServerError)
		return
	}
	w.Header().Set("X-ClickHouse-Format", "Native")
	w.Header().Set("Content-Type", "application/octet-stream")
	writeBody(w, r, params, buf.Buf)
}

func settingLiteral(v string) string {
	if _, err := strconv.ParseFloat(v, 64); err == nil {
		return v
	}
	return quoteString(v)
}
