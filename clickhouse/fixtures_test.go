package clickhouse_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/moose-dev/moose-dev/differ"
	"github.com/moose-dev/moose-dev/infra"
	"github.com/moose-dev/moose-dev/internal/chtest"
	"github.com/moose-dev/moose-dev/parser"
	"golang.org/x/tools/txtar"
)

// TestEveryParsedTableIsAcceptedByClickHouse loads every parser fixture
// that produces a map and creates its tables in the embedded engine: the
// DDL we render for each type, marker and engine must be valid ClickHouse.
func TestEveryParsedTableIsAcceptedByClickHouse(t *testing.T) {
	srv := chtest.Start(t, "local")
	ctx := context.Background()
	created := 0
	for fixture, m := range fixtureMaps(t) {
		for _, id := range m.TableIDs() {
			tbl := m.Tables[id]
			if !engineRunsEmbedded(tbl.Engine) {
				continue
			}
			tbl.Name = fixture + "_" + tbl.Name
			if tbl.Database != nil {
				if err := srv.Client.EnsureDatabases(ctx, *tbl.Database); err != nil {
					t.Fatal(err)
				}
			}
			if err := srv.Client.Apply(ctx, []infra.Operation{infra.CreateTable{Table: tbl}}, nil); err != nil {
				t.Errorf("%s: table %s: %v", fixture, id, err)
				continue
			}
			created++
		}
	}
	if created == 0 {
		t.Fatal("no table was created")
	}
	t.Logf("%d tables created", created)
}

// engineRunsEmbedded: replicated engines need Keeper, and S3/Kafka engines
// reach the network; neither exists in the embedded engine.
func engineRunsEmbedded(e infra.Engine) bool {
	switch {
	case strings.HasPrefix(e.Name, "Replicated"), e.Name == "S3Queue", e.Name == "S3", e.Name == "Kafka",
		e.Name == "IcebergS3", e.Name == "Distributed":
		return false
	}
	return true
}

// TestEveryParsedTableReadsBackUnchanged creates each fixture table, reads
// it back from system.columns, and checks every column is read back as the
// same column (types, nullability, LowCardinality, defaults, comments).
func TestEveryParsedTableReadsBackUnchanged(t *testing.T) {
	srv := chtest.Start(t, "local")
	ctx := context.Background()
	checked := 0
	for fixture, m := range fixtureMaps(t) {
		for _, id := range m.TableIDs() {
			tbl := m.Tables[id]
			if !engineRunsEmbedded(tbl.Engine) || tbl.Database != nil {
				continue
			}
			tbl.Name = "rt_" + fixture + "_" + tbl.Name
			if err := srv.Client.Apply(ctx, []infra.Operation{infra.CreateTable{Table: tbl}}, nil); err != nil {
				t.Fatalf("%s: %v", tbl.Name, err)
			}
			live, err := srv.Client.Reality(ctx, "local")
			if err != nil {
				t.Fatal(err)
			}
			got := live["local."+tbl.Name]
			if got == nil || got.Columns == nil {
				t.Errorf("%s: columns could not be read back", tbl.Name)
				continue
			}
			if differ.NormalizeTTL(str(tbl.TTL)) != differ.NormalizeTTL(str(got.TTL)) {
				t.Errorf("%s: table TTL reads back as %q, want %q", tbl.Name, str(got.TTL), str(tbl.TTL))
			}
			for k, v := range tbl.TableSettings {
				if got.TableSettings[k] != v {
					t.Errorf("%s: setting %s reads back as %q, want %q", tbl.Name, k, got.TableSettings[k], v)
				}
			}
			if len(got.Columns) > len(tbl.Columns) {
				t.Errorf("%s: %d columns read back, %d created", tbl.Name, len(got.Columns), len(tbl.Columns))
			}
			for i, want := range tbl.Columns {
				if i >= len(got.Columns) {
					t.Errorf("%s: column %s missing", tbl.Name, want.Name)
					continue
				}
				g := got.Columns[i]
				g.PrimaryKey = want.PrimaryKey
				g.TTL = want.TTL // not read back: reconciliation keeps the state's (differ.Reconcile)
				if !differ.ColumnsEquivalent(want, g) {
					wj, _ := want.MarshalJSON()
					gj, _ := g.MarshalJSON()
					t.Errorf("%s.%s reads back differently:\nwant %s\n got %s", tbl.Name, want.Name, wj, gj)
				}
			}
			checked++
		}
	}
	if checked == 0 {
		t.Fatal("no table was read back")
	}
	t.Logf("%d tables read back", checked)
}

// fixtureMaps loads every parser fixture that produces a map, by file.
func fixtureMaps(t *testing.T) map[string]*infra.Map {
	t.Helper()
	files, err := filepath.Glob("../parser/testdata/projects/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no parser fixtures found (%v)", err)
	}
	out := map[string]*infra.Map{}
	for _, file := range files {
		ar, err := txtar.ParseFile(file)
		if err != nil {
			t.Fatal(err)
		}
		root := t.TempDir()
		failing := false
		for _, f := range ar.Files {
			failing = failing || f.Name == "want.err"
			p := filepath.Join(root, f.Name)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, f.Data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if failing {
			continue
		}
		res, err := parser.NewLoader(root, "app", "Python").Load("local")
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		out[strings.TrimSuffix(filepath.Base(file), ".txtar")] = res.Map
	}
	return out
}
