package chdb

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"crypto/sha512"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/moose-dev/moose-dev/display"
)

// The pinned chDB engine: npm package, version and the registry's integrity
// string for its tarball. Setup refuses a tarball that does not match.
const (
	Package   = "@chdb/lib-linux-x64-gnu"
	Version   = "26.7.3-stable.1"
	Integrity = "sha512-XP97mMqnc5tZpKQywR8N7cLTsHNiTmHr30pC5mzo3jWmukjKn2IBa60c2B/gWUNcuFjOMjWoorQICCqBVj5wpw=="
)

// LibEnv overrides where the library is looked for.
const LibEnv = "MOOSE_DEV_CHDB_LIB"

// CacheDir is where fetched engines live: outside any repository, shared by
// every project on the machine.
func CacheDir() string {
	if d := os.Getenv("MOOSE_DEV_CACHE"); d != "" {
		return d
	}
	base, err := os.UserCacheDir()
	if err != nil {
		base = os.TempDir()
	}
	return filepath.Join(base, "moose-dev")
}

// LibPath is where the pinned library is (or will be) installed.
func LibPath() string {
	if p := os.Getenv(LibEnv); p != "" {
		return p
	}
	return filepath.Join(CacheDir(), "chdb", Version, "libchdb.so")
}

// ErrMissing says the engine has not been fetched.
var ErrMissing = errors.New("the embedded ClickHouse engine (chDB) is not installed")

// Check reports whether the library is installed, with a message saying how
// to install it when it is not.
func Check() (string, error) {
	p := LibPath()
	if _, err := os.Stat(p); err != nil {
		return p, fmt.Errorf("%w at %s: run `moose-dev setup` (it downloads %s@%s from the npm registry, about 170 MB), "+
			"or set %s to an existing libchdb.so", ErrMissing, p, Package, Version, LibEnv)
	}
	return p, nil
}

// DefaultRegistry is where the tarball is downloaded from when npm's
// registry setting cannot be read.
const DefaultRegistry = "https://registry.npmjs.org/"

// Fetch installs the pinned library into the cache unless it is there
// already: the tarball is downloaded from the npm registry (the one npm is
// configured with, when npm is installed) with progress on log, its sha512
// is checked against the pinned integrity, and libchdb.so is extracted and
// moved into place atomically. When the download fails, `npm pack` is tried
// instead (it knows the registry's credentials and proxies). log receives
// progress lines: on a terminal one updating line, elsewhere a line every
// quarter.
func Fetch(ctx context.Context, log io.Writer) (string, error) {
	dest := LibPath()
	if _, err := os.Stat(dest); err == nil {
		fmt.Fprintf(log, "chDB %s already installed at %s\n", Version, dest)
		return dest, nil
	}
	_, npmErr := exec.LookPath("npm")
	registry := DefaultRegistry
	if npmErr == nil {
		registry = npmRegistry(ctx)
	}
	err := fetchFrom(ctx, TarballURL(registry), Integrity, dest, log)
	switch {
	case err == nil:
		return dest, nil
	case ctx.Err() != nil || errors.Is(err, errIntegrity): // a tampered tarball is not retried
		return "", err
	case npmErr != nil:
		return "", fmt.Errorf("%w (npm, the fallback, is not installed either: install Node.js and npm)", err)
	}
	fmt.Fprintf(log, "download failed (%v); trying npm pack\n", err)
	if err := fetchWithNpm(ctx, dest, log); err != nil {
		return "", err
	}
	return dest, nil
}

// TarballURL is where the pinned package's tarball is on a registry, as
// `npm view @chdb/lib-linux-x64-gnu@<version> dist.tarball` gives it for
// registry.npmjs.org.
func TarballURL(registry string) string {
	name := Package[strings.Index(Package, "/")+1:]
	return strings.TrimRight(registry, "/") + "/" + Package + "/-/" + name + "-" + Version + ".tgz"
}

// npmRegistry is npm's registry setting for the package's scope, else its
// registry, else DefaultRegistry.
func npmRegistry(ctx context.Context) string {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	scope := Package[:strings.Index(Package, "/")]
	for _, key := range []string{scope + ":registry", "registry"} {
		out, err := exec.CommandContext(ctx, "npm", "config", "get", key).Output()
		v := strings.TrimSpace(string(out))
		if err == nil && (strings.HasPrefix(v, "https://") || strings.HasPrefix(v, "http://")) {
			return v
		}
	}
	return DefaultRegistry
}

var errIntegrity = errors.New("integrity mismatch")

// fetchFrom downloads url into a temporary file beside dest, verifies it
// against integrity and installs its package/libchdb.so at dest.
func fetchFrom(ctx context.Context, url, integrity, dest string, log io.Writer) error {
	if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dest), "fetch-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	tgz := filepath.Join(tmp, "package.tgz")
	fmt.Fprintf(log, "fetching %s@%s from %s\n", Package, Version, url)
	if err := download(ctx, url, tgz, newProgress(log, Package+"@"+Version)); err != nil {
		return err
	}
	return install(tgz, integrity, dest, log)
}

// install verifies the tarball and moves its library into place.
func install(tgz, integrity, dest string, log io.Writer) error {
	if err := verifyIntegrity(tgz, integrity); err != nil {
		return err
	}
	part := dest + ".part"
	if err := extractFile(tgz, "package/libchdb.so", part); err != nil {
		return err
	}
	if err := os.Rename(part, dest); err != nil {
		return err
	}
	fmt.Fprintf(log, "installed chDB %s at %s (integrity verified)\n", Version, dest)
	return nil
}

func download(ctx context.Context, url, path string, pr *progress) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req) // honours HTTPS_PROXY and friends
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	pr.total = resp.ContentLength
	_, err = io.Copy(f, io.TeeReader(resp.Body, pr))
	pr.finish(err == nil)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("GET %s: %w", url, err)
	}
	return nil
}

// progress reports a download's bytes: on a terminal one line redrawn
// with a carriage return (no escape codes) at most every 100 ms,
// elsewhere a line at each quarter of the total (each 25 MB when the
// size is unknown).
type progress struct {
	w        io.Writer
	name     string
	terminal bool
	total    int64 // -1 when unknown
	done     int64
	last     time.Time
	step     int64 // the quarter (or 25 MB step) last printed, off a terminal
	width    int   // of the last terminal line, to blank its tail
}

func newProgress(w io.Writer, name string) *progress {
	f, ok := w.(*os.File)
	return &progress{w: w, name: name, terminal: ok && display.IsTerminal(f), total: -1}
}

func (p *progress) Write(b []byte) (int, error) {
	p.done += int64(len(b))
	if p.terminal {
		if now := time.Now(); now.Sub(p.last) >= 100*time.Millisecond {
			p.last = now
			p.draw()
		}
		return len(b), nil
	}
	if p.total > 0 {
		if q := p.done * 4 / p.total; q > p.step && q < 4 {
			p.step = q
			fmt.Fprintf(p.w, "downloading %s: %s\n", p.name, p.text())
		}
	} else if s := p.done / (25 << 20); s > p.step {
		p.step = s
		fmt.Fprintf(p.w, "downloading %s: %s\n", p.name, p.text())
	}
	return len(b), nil
}

func (p *progress) draw() {
	line := fmt.Sprintf("downloading %s: %s", p.name, p.text())
	pad := p.width - len(line)
	p.width = len(line)
	fmt.Fprintf(p.w, "\r%s%s", line, strings.Repeat(" ", max(pad, 0)))
}

// finish prints the last state: the complete size, or where it stopped.
func (p *progress) finish(ok bool) {
	if p.terminal {
		p.draw()
		fmt.Fprintln(p.w)
		return
	}
	if ok || p.done > 0 {
		fmt.Fprintf(p.w, "downloaded %s: %s\n", p.name, p.text())
	}
}

func (p *progress) text() string {
	mb := func(n int64) string { return fmt.Sprintf("%.1f", float64(n)/(1<<20)) }
	if p.total <= 0 {
		return mb(p.done) + " MB"
	}
	return fmt.Sprintf("%s / %s MB (%d%%)", mb(p.done), mb(p.total), p.done*100/p.total)
}

// fetchWithNpm is the fallback: `npm pack` downloads the tarball (into
// npm's cache, then the pack destination, all at once: there is no
// progress to show).
func fetchWithNpm(ctx context.Context, dest string, log io.Writer) error {
	tmp, err := os.MkdirTemp(filepath.Dir(dest), "fetch-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	fmt.Fprintf(log, "fetching %s@%s with npm ...\n", Package, Version)
	cmd := exec.CommandContext(ctx, "npm", "pack", "--silent", Package+"@"+Version, "--pack-destination", tmp)
	cmd.Stderr = log
	out, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("npm pack %s@%s: %w", Package, Version, err)
	}
	return install(filepath.Join(tmp, strings.TrimSpace(lastLine(string(out)))), Integrity, dest, log)
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// verifyIntegrity checks a file against an npm `sha512-<base64>` string.
func verifyIntegrity(path, integrity string) error {
	want, ok := strings.CutPrefix(integrity, "sha512-")
	if !ok {
		return fmt.Errorf("unsupported integrity %q", integrity)
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	h := sha512.New()
	if _, err := io.Copy(h, f); err != nil {
		return err
	}
	if got := base64.StdEncoding.EncodeToString(h.Sum(nil)); got != want {
		return fmt.Errorf("%s: %w: got sha512-%s, want %s", filepath.Base(path), errIntegrity, got, integrity)
	}
	return nil
}

func extractFile(tgz, member, dest string) error {
	f, err := os.Open(tgz)
	if err != nil {
		return err
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return err
	}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return fmt.Errorf("%s not found in %s", member, filepath.Base(tgz))
		}
		if err != nil {
			return err
		}
		if h.Name != member {
			continue
		}
		out, err := os.OpenFile(dest, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o755)
		if err != nil {
			return err
		}
		if _, err := io.Copy(out, tr); err != nil {
			out.Close()
			return err
		}
		return out.Close()
	}
}
