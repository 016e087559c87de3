package devloop_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/moose-dev/moose-dev/devloop"
	"github.com/moose-dev/moose-dev/infra"
)

// A state file cut short (a crash mid-write by an older moose-dev, a disk
// full) or broken by hand does not stop the loop: it is moved aside, said,
// and the state is rebuilt from the database, adopting the tables and
// topics the code declares; no row is lost and later saves apply.
func TestACorruptStateFileIsMovedAsideAndRebuiltFromClickHouse(t *testing.T) {
	for _, c := range []struct {
		name    string
		corrupt func([]byte) []byte
	}{
		{"cut in half", func(b []byte) []byte { return b[:len(b)/2] }},
		{"empty", func([]byte) []byte { return nil }},
		{"not a map", func([]byte) []byte { return []byte(`{"tables": 7}`) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			ctx := context.Background()
			if _, err := f.loop.Reload(ctx, false); err != nil {
				t.Fatal(err, f.out.String())
			}
			if err := f.srv.Client.Exec(ctx, "INSERT INTO local.Events VALUES ('a', 'x'), ('b', 'y')"); err != nil {
				t.Fatal(err)
			}
			statePath := filepath.Join(f.proj.StateDir(), devloop.StateFile)
			good, err := os.ReadFile(statePath)
			if err != nil {
				t.Fatal(err)
			}
			bad := c.corrupt(good)
			if err := os.WriteFile(statePath, bad, 0o644); err != nil {
				t.Fatal(err)
			}

			f.out.Reset()
			l := f.newLoop() // fails the test if the corrupt file stops the loop
			aside, _ := filepath.Glob(statePath + ".corrupt-*")
			if len(aside) != 1 {
				t.Fatalf("the corrupt file was not moved aside: %v", aside)
			}
			if kept, err := os.ReadFile(aside[0]); err != nil || string(kept) != string(bad) {
				t.Fatalf("the file moved aside is not the corrupt one: %v", err)
			}
			if out := f.out.String(); !strings.Contains(out, "the state file could not be read") || !strings.Contains(out, aside[0]) {
				t.Fatalf("the warning must say so and where:\n%s", out)
			}
			f.out.Reset()
			if _, err := l.Reload(ctx, false); err != nil {
				t.Fatal(err, f.out.String())
			}
			if strings.ContainsAny(f.out.String(), "+-~") {
				t.Fatalf("rebuilding the state must adopt what exists, not change it:\n%s", f.out.String())
			}
			if got := strings.Join(rowsOf(t, f, "Events", "id", "name"), ","); got != "a|x,b|y" {
				t.Fatalf("rows after the rebuild: %q", got)
			}
			rebuilt, err := os.ReadFile(statePath)
			if err != nil {
				t.Fatal(err)
			}
			if m, err := infra.UnmarshalMap(rebuilt); err != nil || m.Tables["local_Events"] == nil || m.Topics["Events"] == nil {
				t.Fatalf("the rebuilt state: %v", err)
			}
			// and the next save applies
			f.write(strings.Replace(models, "    name: str\n", "    name: str\n    extra: int\n", 1))
			if _, err := l.Reload(ctx, true); err != nil {
				t.Fatal(err, f.out.String())
			}
			if got := strings.Join(f.columns("Events"), ","); got != "id String,name String,extra Int64" {
				t.Fatalf("a save after the rebuild: %s", got)
			}
			if got := strings.Join(rowsOf(t, f, "Events", "id", "name"), ","); got != "a|x,b|y" {
				t.Fatalf("rows after the save: %q", got)
			}
		})
	}
}
