package chdb

import (
	"crypto/sha512"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
