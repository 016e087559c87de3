package chdb_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/ClickHouse/clickhouse-go/v2"

	"github.com/moose-dev/moose-dev/internal/chtest"
)

// The front end as real clients use it: clickhouse-go over HTTP with each of
// its compression methods, and curl.

func TestClickHouseGoWithEveryCompressionMethod(t *testing.T) {
	srv := chtest.Start(t, "local")
	ctx := context.Background()
	if err := srv.Client.Exec(ctx, "CREATE TABLE local.events (id UInt64, name String, tags Array(String)) ENGINE = MergeTree ORDER BY id"); err != nil {
		t.Fatal(err)
	}
	methods := []clickhouse.CompressionMethod{clickhouse.CompressionNone, clickhouse.CompressionLZ4, clickhouse.CompressionZSTD,
		clickhouse.CompressionGZIP, clickhouse.CompressionDeflate, clickhouse.CompressionBrotli}
	for i, m := range methods {
		t.Run(m.String(), func(t *testing.T) {
			conn, err := clickhouse.Open(&clickhouse.Options{Addr: []string{srv.Addr}, Protocol: clickhouse.HTTP,
				Auth:        clickhouse.Auth{Username: chtest.User, Password: chtest.Password, Database: "local"},
				Compression: &clickhouse.Compression{Method: m}})
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			if err := conn.Ping(ctx); err != nil {
				t.Fatalf("ping: %v", err)
			}
			// a batch insert: a Native body, compressed as the method says
			batch, err := conn.PrepareBatch(ctx, "INSERT INTO events")
			if err != nil {
				t.Fatal(err)
			}
			base := uint64(i * 1000)
			for n := range uint64(500) {
				if err := batch.Append(base+n, strings.Repeat("x", int(n%7)), []string{"a", fmt.Sprint(n)}); err != nil {
					t.Fatal(err)
				}
			}
			if err := batch.Send(); err != nil {
				t.Fatalf("insert: %v", err)
			}
			// a query with parameters, read back through the same compression
			pctx := clickhouse.Context(ctx, clickhouse.WithParameters(clickhouse.Parameters{"lo": fmt.Sprint(base), "hi": fmt.Sprint(base + 999)}))
			var count uint64
			var maxTag string
			if err := conn.QueryRow(pctx, "SELECT count(), max(tags[2]) FROM events WHERE id BETWEEN {lo:UInt64} AND {hi:UInt64}").Scan(&count, &maxTag); err != nil {
				t.Fatalf("query: %v", err)
			}
			if count != 500 || maxTag != "99" {
				t.Fatalf("read back %d rows, max tag %q", count, maxTag)
			}
			// an error comes through as ClickHouse's
			if err := conn.Exec(ctx, "SELECT * FROM nope"); err == nil || !strings.Contains(err.Error(), "UNKNOWN_TABLE") {
				t.Fatalf("error: %v", err)
			}
		})
	}
}

func curl(t *testing.T, args ...string) string {
	t.Helper()
	chtest.RequireTool(t, "curl", "Debian: apt-get install curl")
	out, err := exec.Command("curl", append([]string{"-sS", "--fail-with-body", "-u", chtest.User + ":" + chtest.Password}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("curl %v: %v\n%s", args, err, out)
	}
	return string(out)
}

func TestCurl(t *testing.T) {
	srv := chtest.Start(t, "local")
	base := "http://" + srv.Addr + "/"
	curl(t, "--data-binary", "CREATE TABLE local.hits (url String, n UInt32) ENGINE = MergeTree ORDER BY url", base)

	// a gzip-compressed insert body
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	for i := range 1000 {
		fmt.Fprintf(zw, "/p%d,%d\n", i%10, i)
	}
	zw.Close()
	body := filepath.Join(t.TempDir(), "hits.csv.gz")
	if err := os.WriteFile(body, gz.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	curl(t, "-H", "Content-Encoding: gzip", "--data-binary", "@"+body, base+"?query="+url.QueryEscape("INSERT INTO local.hits FORMAT CSV"))

	// database, default_format, a setting and query parameters as URL parameters
	got := curl(t, base+"?database=local&default_format=CSV&max_threads=1&param_prefix=%2Fp1&param_min=500&query="+
		url.QueryEscape("SELECT url, count() FROM hits WHERE startsWith(url, {prefix:String}) AND n >= {min:UInt32} GROUP BY url"))
	if got != "\"/p1\",50\n" {
		t.Fatalf("parameterised query: %q", got)
	}

	// a compressed response, asked for the way curl --compressed does
	headers := filepath.Join(t.TempDir(), "headers")
	got = curl(t, "--compressed", "-D", headers, base+"?enable_http_compression=1&query="+url.QueryEscape("SELECT count() FROM local.hits"))
	h, _ := os.ReadFile(headers)
	if got != "1000\n" || !strings.Contains(strings.ToLower(string(h)), "content-encoding: ") {
		t.Fatalf("compressed response %q with headers:\n%s", got, h)
	}

	// an error: ClickHouse's code in a header, a failing status
	cmd := exec.Command("curl", "-sS", "-u", chtest.User+":"+chtest.Password, "-o", "/dev/null", "-w", "%{http_code}", base+"?query="+url.QueryEscape("SELECT * FROM local.nope"))
	if out, _ := cmd.Output(); string(out) != "404" {
		t.Fatalf("unknown table: status %s", out)
	}
}

// Concurrent requests each get their own database, parameters and
// settings, although the engine has one session (the front end serializes
// USE, SET and the query).
func TestConcurrentRequests(t *testing.T) {
	srv := chtest.Start(t, "local")
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			db := []string{"default", "local", "system"}[i%3]
			q := url.Values{"database": {db}, "param_i": {fmt.Sprint(i)}, "max_threads": {fmt.Sprint(1 + i%4)},
				"query": {"SELECT currentDatabase(), {i:UInt32}, getSetting('max_threads') FORMAT CSV"}}
			req, _ := http.NewRequest(http.MethodGet, "http://"+srv.Addr+"/?"+q.Encode(), nil)
			basic(req)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				errs <- err
				return
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if want := fmt.Sprintf("\"%s\",%d,%d\n", db, i, 1+i%4); string(body) != want {
				errs <- fmt.Errorf("request %d: got %q, want %q", i, body, want)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
