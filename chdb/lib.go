// Package chdb runs the embedded ClickHouse: the chDB engine (ClickHouse as
// a library, fetched from npm by `moose-dev setup`) loaded with purego in a
// child process that serves the ClickHouse HTTP interface on loopback, so
// that the daemon, curl and the user's tools talk to it as to a real server.
//
// The library is loaded lazily and only in the child: a moose-dev binary
// starts, and says what to do, when the library is missing.
package chdb

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"sync"
	"unsafe"

	"github.com/ebitengine/purego"
)

// Lib is a loaded libchdb.so.
type Lib struct {
	connect func(argc int32, argv unsafe.Pointer) *uintptr
	close   func(conn *uintptr)
	queryN  func(conn uintptr, q string, qlen uintptr, f string, flen uintptr) uintptr
	buffer  func(res uintptr) *byte
	length  func(res uintptr) uintptr
	errorf  func(res uintptr) string
	destroy func(res uintptr)
}

var (
	loadOnce sync.Once
	loaded   *Lib
	loadErr  error
)

// Load opens the library at path once per process and binds the C API.
func Load(path string) (*Lib, error) {
	loadOnce.Do(func() {
		h, err := purego.Dlopen(path, purego.RTLD_NOW|purego.RTLD_GLOBAL)
		if err != nil {
			loadErr = fmt.Errorf("loading chDB library %s: %w", path, err)
			return
		}
		l := &Lib{}
		for name, fn := range map[string]any{
			"chdb_connect": &l.connect, "chdb_close_conn": &l.close, "chdb_query_n": &l.queryN,
			"chdb_result_buffer": &l.buffer, "chdb_result_length": &l.length,
			"chdb_result_error": &l.errorf, "chdb_destroy_query_result": &l.destroy,
		} {
			sym, err := purego.Dlsym(h, name)
			if err != nil {
				loadErr = fmt.Errorf("chDB library %s has no %s: is it a supported version (%s)?", path, name, Version)
				return
			}
			purego.RegisterFunc(fn, sym)
		}
		loaded = l
	})
	return loaded, loadErr
}

// Session is one open chDB connection on a data directory. Queries are
// serialized: one chDB connection runs one query at a time.
type Session struct {
	lib  *Lib
	conn *uintptr // chdb_connection*
	mu   sync.Mutex
}

// Connect opens a session whose data lives in dataDir.
func (l *Lib) Connect(dataDir string) (*Session, error) {
	args := []string{"clickhouse", "--path=" + dataDir}
	cargs := make([]*byte, len(args))
	keep := make([][]byte, len(args))
	for i, a := range args {
		keep[i] = append([]byte(a), 0)
		cargs[i] = &keep[i][0]
	}
	conn := l.connect(int32(len(args)), unsafe.Pointer(&cargs[0]))
	if conn == nil || *conn == 0 {
		return nil, fmt.Errorf("chDB could not open %s (is another process using it?)", dataDir)
	}
	return &Session{lib: l, conn: conn}, nil
}

// QueryError is an error ClickHouse reported, with its code.
type QueryError struct {
	Code int
	Msg  string
}

func (e *QueryError) Error() string { return e.Msg }

var reCode = regexp.MustCompile(`^Code: (\d+)\.`)

// Query runs one statement and returns its output in the given format.
func (s *Session) Query(query, format string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.queryLocked(query, format)
}

func (s *Session) queryLocked(query, format string) ([]byte, error) {
	if s.conn == nil {
		return nil, errors.New("chDB session is closed")
	}
	conn := *s.conn
	res := s.lib.queryN(conn, query, uintptr(len(query)), format, uintptr(len(format)))
	if res == 0 {
		return nil, &QueryError{Code: 1000, Msg: "chDB returned no result"}
	}
	defer s.lib.destroy(res)
	if msg := s.lib.errorf(res); msg != "" {
		code := 1000
		if m := reCode.FindStringSubmatch(msg); m != nil {
			code, _ = strconv.Atoi(m[1])
		}
		return nil, &QueryError{Code: code, Msg: msg}
	}
	n := s.lib.length(res)
	if n == 0 {
		return nil, nil
	}
	out := make([]byte, n)
	copy(out, unsafe.Slice(s.lib.buffer(res), n))
	return out, nil
}

// Close closes the session and releases the data directory.
func (s *Session) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn != nil {
		s.lib.close(s.conn)
		s.conn = nil
	}
}
