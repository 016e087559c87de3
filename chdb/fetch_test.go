package chdb

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/rand"
	"crypto/sha512"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestVerifyIntegrity(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pkg.tgz")
	os.WriteFile(path, []byte("tarball"), 0o644)
	sum := sha512.Sum512([]byte("tarball"))
	good := "sha512-" + base64.StdEncoding.EncodeToString(sum[:])
	if err := verifyIntegrity(path, good); err != nil {
		t.Fatal(err)
	}
	if err := verifyIntegrity(path, Integrity); err == nil || !strings.Contains(err.Error(), "integrity mismatch") {
		t.Fatalf("a tampered tarball must be refused, got %v", err)
	}
}

func TestCheckSaysHowToInstallTheEngine(t *testing.T) {
	t.Setenv(LibEnv, filepath.Join(t.TempDir(), "missing.so"))
	_, err := Check()
	if !errors.Is(err, ErrMissing) || !strings.Contains(err.Error(), "moose-dev setup") {
		t.Fatalf("got %v", err)
	}
}

func TestStartRefusesNonLoopback(t *testing.T) {
	if _, err := Check(); err != nil {
		t.Skip(err)
	}
	if _, err := Start(t.Context(), Options{Host: "0.0.0.0", Port: 1, DataDir: t.TempDir()}); err == nil || !strings.Contains(err.Error(), "loopback") {
		t.Fatalf("got %v", err)
	}
}

// fakeTarball is a package tarball holding package/libchdb.so.
func fakeTarball(t *testing.T, lib []byte) []byte {
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	tw.WriteHeader(&tar.Header{Name: "package/package.json", Mode: 0o644, Size: 2})
	tw.Write([]byte("{}"))
	tw.WriteHeader(&tar.Header{Name: "package/libchdb.so", Mode: 0o755, Size: int64(len(lib))})
	tw.Write(lib)
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	gz.Close()
	return buf.Bytes()
}

func TestFetchFromShowsProgressAndVerifies(t *testing.T) {
	lib := make([]byte, 3<<20)
	rand.Read(lib) // incompressible, so the tarball is about as large
	tgz := fakeTarball(t, lib)
	sum := sha512.Sum512(tgz)
	integrity := "sha512-" + base64.StdEncoding.EncodeToString(sum[:])
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/"+Package+"/-/lib-linux-x64-gnu-"+Version+".tgz" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(tgz)))
		for b := tgz; len(b) > 0; { // in pieces, as a network delivers it
			n := min(len(b), 64<<10)
			w.Write(b[:n])
			b = b[n:]
		}
	}))
	defer srv.Close()

	dest := filepath.Join(t.TempDir(), Version, "libchdb.so")
	var log bytes.Buffer
	if err := fetchFrom(t.Context(), TarballURL(srv.URL+"/"), integrity, dest, &log); err != nil {
		t.Fatalf("%v\n%s", err, &log)
	}
	if got, _ := os.ReadFile(dest); !bytes.Equal(got, lib) {
		t.Fatalf("installed library differs (%d bytes)", len(got))
	}
	out := log.String()
	if strings.Contains(out, "\r") || strings.Contains(out, "\x1b") {
		t.Fatalf("off a terminal the progress is plain lines:\n%q", out)
	}
	total := fmt.Sprintf("%.1f MB", float64(len(tgz))/(1<<20))
	// one line as each quarter is crossed, giving the share done when it
	// was: how far past the quarter depends on the pieces the body came in
	var quarters []int
	for _, m := range regexp.MustCompile(`downloading .*\((\d+)%\)`).FindAllStringSubmatch(out, -1) {
		pct, _ := strconv.Atoi(m[1])
		quarters = append(quarters, pct/25)
	}
	if !slices.Equal(quarters, []int{1, 2, 3}) {
		t.Errorf("progress lines fall in quarters %v, want one in each of 1, 2, 3:\n%s", quarters, out)
	}
	for _, want := range []string{"downloaded " + Package + "@" + Version + ": " + fmt.Sprintf("%.1f", float64(len(tgz))/(1<<20)) + " / " + total + " (100%)",
		"integrity verified"} {
		if !strings.Contains(out, want) {
			t.Errorf("progress lacks %q:\n%s", want, out)
		}
	}
	if n := strings.Count(out, "\n"); n > 7 {
		t.Errorf("%d lines off a terminal, want a few:\n%s", n, out)
	}

	// a tarball that does not match the integrity is refused, and nothing is installed
	dest2 := filepath.Join(t.TempDir(), "libchdb.so")
	err := fetchFrom(t.Context(), TarballURL(srv.URL), Integrity, dest2, io.Discard)
	if !errors.Is(err, errIntegrity) || !strings.Contains(err.Error(), "integrity mismatch") {
		t.Fatalf("a wrong tarball must be refused, got %v", err)
	}
	if _, err := os.Stat(dest2); err == nil {
		t.Fatal("a refused tarball was installed")
	}
	// a missing one is an error naming the status (Fetch then tries npm)
	if err := fetchFrom(t.Context(), srv.URL+"/nothing.tgz", integrity, dest2, io.Discard); err == nil || !strings.Contains(err.Error(), "404") {
		t.Fatalf("got %v", err)
	}
}

func TestProgressOnATerminalIsOneLine(t *testing.T) {
	var buf bytes.Buffer
	p := &progress{w: &buf, name: "pkg", terminal: true, total: 4 << 20}
	for range 4 {
		p.last = time.Time{} // draw every write
		p.Write(make([]byte, 1<<20))
	}
	p.finish(true)
	out := buf.String()
	if strings.Count(out, "\n") != 1 || !strings.HasSuffix(out, "\rdownloading pkg: 4.0 / 4.0 MB (100%)\n") || strings.Contains(out, "\x1b") {
		t.Fatalf("got %q", out)
	}
}

func TestTarballURL(t *testing.T) {
	// as `npm view @chdb/lib-linux-x64-gnu@26.7.3-stable.1 dist.tarball` says
	want := "https://registry.npmjs.org/@chdb/lib-linux-x64-gnu/-/lib-linux-x64-gnu-" + Version + ".tgz"
	if got := TarballURL(DefaultRegistry); got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
}
