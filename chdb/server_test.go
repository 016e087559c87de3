package chdb_test

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/moose-dev/moose-dev/chdb"
	"github.com/moose-dev/moose-dev/internal/chtest"
)

func TestMain(m *testing.M) {
	chdb.RunChildIfRequested()
	os.Exit(m.Run())
}

type reply struct {
	status int
	code   string
	body   string
}

func do(t *testing.T, req *http.Request) reply {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return reply{resp.StatusCode, resp.Header.Get("X-ClickHouse-Exception-Code"), string(b)}
}

func get(t *testing.T, addr, rawQuery string, auth func(*http.Request)) reply {
	req, _ := http.NewRequest(http.MethodGet, "http://"+addr+"/?"+rawQuery, nil)
	if auth != nil {
		auth(req)
	}
	return do(t, req)
}

func basic(r *http.Request) { r.SetBasicAuth(chtest.User, chtest.Password) }

func TestFrontEndAcceptsTheConfiguredUserThreeWays(t *testing.T) {
	srv := chtest.Start(t, "local")
	q := "query=" + url.QueryEscape("SELECT 1")
	for name, auth := range map[string]func(*http.Request){
		"basic auth": basic,
		"headers": func(r *http.Request) {
			r.Header.Set("X-ClickHouse-User", chtest.User)
			r.Header.Set("X-ClickHouse-Key", chtest.Password)
		},
	} {
		if r := get(t, srv.Addr, q, auth); r.status != 200 || r.body != "1\n" {
			t.Errorf("%s: %+v", name, r)
		}
	}
	if r := get(t, srv.Addr, q+"&user=panda&password=pandapass", nil); r.status != 200 || r.body != "1\n" {
		t.Errorf("URL parameters: %+v", r)
	}
	for name, auth := range map[string]func(*http.Request){
		"no credentials":  nil,
		"wrong password":  func(r *http.Request) { r.SetBasicAuth(chtest.User, "nope") },
		"unknown user":    func(r *http.Request) { r.SetBasicAuth("default", "") },
		"header, no pass": func(r *http.Request) { r.Header.Set("X-ClickHouse-User", chtest.User) },
	} {
		r := get(t, srv.Addr, q, auth)
		if r.status != http.StatusUnauthorized || r.code != "516" || !strings.Contains(r.body, "AUTHENTICATION_FAILED") {
			t.Errorf("%s: want ClickHouse's authentication error, got %+v", name, r)
		}
	}
}

func TestFrontEndReportsErrorsAsClickHouseDoes(t *testing.T) {
	srv := chtest.Start(t, "local")
	r := get(t, srv.Addr, "query="+url.QueryEscape("SELEC 1"), basic)
	if r.status != http.StatusBadRequest || r.code != "62" || !strings.Contains(r.body, "SYNTAX_ERROR") {
		t.Errorf("syntax error: %+v", r)
	}
	r = get(t, srv.Addr, "query="+url.QueryEscape("SELECT * FROM local.nope"), basic)
	if r.status != http.StatusNotFound || r.code != "60" {
		t.Errorf("unknown table: %+v", r)
	}
	if r := get(t, srv.Addr, "", nil); r.status != 200 || r.body != "Ok.\n" {
		t.Errorf("GET / without a query: %+v", r)
	}
	req, _ := http.NewRequest(http.MethodGet, "http://"+srv.Addr+"/ping", nil)
	if r := do(t, req); r.body != "Ok.\n" {
		t.Errorf("/ping: %+v", r)
	}
}

func TestFrontEndTakesQueriesInTheBodyAndInsertData(t *testing.T) {
	srv := chtest.Start(t, "local")
	post := func(rawQuery, body string) reply {
		req, _ := http.NewRequest(http.MethodPost, "http://"+srv.Addr+"/?"+rawQuery, strings.NewReader(body))
		basic(req)
		return do(t, req)
	}
	if r := post("", "CREATE TABLE local.t (id String, n Int64) ENGINE = MergeTree ORDER BY id"); r.status != 200 {
		t.Fatalf("create: %+v", r)
	}
	if r := post("query="+url.QueryEscape("INSERT INTO local.t FORMAT CSV"), "a,1\nb,2\n"); r.status != 200 {
		t.Fatalf("insert with a body: %+v", r)
	}
	if r := post("database=local&default_format=CSV", "SELECT id, n FROM t ORDER BY id"); r.body != "\"a\",1\n\"b\",2\n" {
		t.Fatalf("select with database and default_format: %+v", r)
	}
	if r := post("database=local", "SELECT count() FROM t FORMAT JSONEachRow"); r.body != "{\"count()\":\"2\"}\n" && r.body != "{\"count()\":2}\n" {
		t.Fatalf("FORMAT in the query: %+v", r)
	}
	// the session's data survives a restart of the engine on the same directory
	srv.Proc.Stop()
	again := chtest.Start(t, "local", srv.Dir)
	rows, err := again.Client.Query(t.Context(), "SELECT count() FROM local.t")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var n uint64
	if !rows.Next() || rows.Scan(&n) != nil || n != 2 {
		t.Fatalf("rows after restart = %d", n)
	}
	if _, err := os.Stat(filepath.Join(srv.Dir, "clickhouse")); err != nil {
		t.Fatal(err)
	}
}

// TestConcurrentRequestsKeepTheirDatabaseAndSettings: requests run at
// once on the engine's sessions, each of which carries USE and SET from
// request to request; every request still sees the database and settings
// it asked for, and a table created on one session is seen on the others.
func TestConcurrentRequestsKeepTheirDatabaseAndSettings(t *testing.T) {
	srv := chtest.Start(t, "local")
	for _, db := range []string{"a", "b"} {
		if r := get(t, srv.Addr, "query="+url.QueryEscape("CREATE DATABASE IF NOT EXISTS "+db), basic); r.status != 200 {
			t.Fatal(r.body)
		}
	}
	var wg sync.WaitGroup
	for w := 0; w < 6; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < 30; i++ {
				db, rows := []string{"a", "b"}[(w+i)%2], fmt.Sprint(1000+w*100+i)
				q := url.Values{"database": {db}, "max_result_rows": {rows},
					"query": {"SELECT currentDatabase(), getSetting('max_result_rows')"}}
				r := get(t, srv.Addr, q.Encode(), basic)
				if want := db + "\t" + rows + "\n"; r.body != want {
					t.Errorf("worker %d request %d: %q, want %q", w, i, r.body, want)
					return
				}
				table := fmt.Sprintf("t_%d_%d", w, i)
				if r := get(t, srv.Addr, url.Values{"database": {db}, "query": {"CREATE TABLE " + table + " (x UInt8) ENGINE = Memory"}}.Encode(), basic); r.status != 200 {
					t.Errorf("create %s: %s", table, r.body)
					return
				}
			}
		}(w)
	}
	wg.Wait()
	r := get(t, srv.Addr, "query="+url.QueryEscape("SELECT count() FROM system.tables WHERE database IN ('a', 'b') AND name LIKE 't\\_%'"), basic)
	if r.body != "180\n" {
		t.Fatalf("tables seen: %q, want 180", r.body)
	}
}

// A USE or SET sent as a statement does not leave a session in another
// database or with another setting than a later request asks for: every
// lane is sent one (requests take the lanes in turn), then each request
// names its database and setting again.
func TestAUseOrSetStatementDoesNotLeakIntoLaterRequests(t *testing.T) {
	srv := chtest.Start(t, "local")
	for i := 0; i < 8; i++ {
		q := url.Values{"database": {"local"}, "max_result_rows": {"1000"}, "query": {"USE system"}}
		if i%2 == 1 {
			q.Set("query", "SET max_result_rows = 7")
		}
		if r := get(t, srv.Addr, q.Encode(), basic); r.status != 200 {
			t.Fatal(r.body)
		}
	}
	for i := 0; i < 8; i++ {
		q := url.Values{"database": {"local"}, "max_result_rows": {"1000"},
			"query": {"SELECT currentDatabase(), getSetting('max_result_rows')"}}
		if r := get(t, srv.Addr, q.Encode(), basic); r.body != "local\t1000\n" {
			t.Fatalf("request %d: %q, want local and 1000", i, r.body)
		}
	}
}
