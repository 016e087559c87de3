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
	"os"
	"os/exec"
	"path/filepath"
	"strings"
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
		return p, fmt.Errorf("%w at %s: run `moose-dev setup` (it fetches %s@%s with npm, about 170 MB), "+
			"or set %s to an existing libchdb.so", ErrMissing, p, Package, Version, LibEnv)
	}
	return p, nil
}

// Fetch installs the pinned library into the cache unless it is there
// already: `npm pack` downloads the tarball, its sha512 is checked against
// the pinned integrity, and libchdb.so is extracted and moved into place
// atomically. log receives progress lines.
func Fetch(ctx context.Context, log io.Writer) (string, error) {
	dest := LibPath()
	if _, err := os.Stat(dest); err == nil {
		fmt.Fprintf(log, "chDB %s already installed at %s\n", Version, dest)
		return dest, nil
	}
	if _, err := exec.LookPath("npm"); err != nil {
		return "", fmt.Errorf("npm is needed to fetch %s: install Node.js and npm", Package)
	}
	if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
		return "", err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dest), "fetch-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	fmt.Fprintf(log, "fetching %s@%s with npm ...\n", Package, Version)
	cmd := exec.CommandContext(ctx, "npm", "pack", "--silent", Package+"@"+Version, "--pack-destination", tmp)
	cmd.Stderr = log
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("npm pack %s@%s: %w", Package, Version, err)
	}
	tgz := filepath.Join(tmp, strings.TrimSpace(lastLine(string(out))))
	if err := verifyIntegrity(tgz, Integrity); err != nil {
		return "", err
	}
	part := dest + ".part"
	if err := extractFile(tgz, "package/libchdb.so", part); err != nil {
		return "", err
	}
	if err := os.Rename(part, dest); err != nil {
		return "", err
	}
	fmt.Fprintf(log, "installed chDB %s at %s (integrity verified)\n", Version, dest)
	return dest, nil
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
		return fmt.Errorf("%s: integrity mismatch: got sha512-%s, want %s", filepath.Base(path), got, integrity)
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
