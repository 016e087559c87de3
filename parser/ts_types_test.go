package parser

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/moose-dev/moose-dev/infra"
	"golang.org/x/tools/txtar"
)

var ttUpdate = flag.Bool("tstypes.update", false, "rewrite want.err in testdata/tstypes")

// TestTSTypesCorpus reads every archive under testdata/tstypes: a
// TypeScript project whose `new OlapTable<T>("name")` tables (and Streams,
// IngestApis and Apis: topic columns, ingest columns, query parameters) were given to
// the upstream CLI (moose-cli 0.6.533, captured with
// testdata/ts/capture.sh of the corpus: upstream.json is the map it wrote,
// upstream.err its failure). Each table's columns from tsColumns must equal
// upstream's leaf by leaf (after upstream's load-time rule that array
// columns are required); where upstream failed, our error must be the one
// in want.err. known.txt lists tables whose column order is upstream's
// accident (the order in which its checker first met each key as a string
// literal anywhere in the program): those are compared as sets, and must
// still differ from upstream only in order (`order Table: why`); `nodocs
// Table: why` marks a table whose comments we cannot read (a class's
// members: tsyntax keeps no doc comment for them), compared without
// comments. refused.txt says why we refuse
// a table upstream accepts (its error is then in want.err too).
func TestTSTypesCorpus(t *testing.T) {
	files, err := filepath.Glob("testdata/tstypes/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatal("no archives", err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			ar, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			src := map[string]string{}
			var upJSON, upErr, wantErr []byte
			hasWant := false
			known := map[string]bool{}  // column order is upstream's accident
			nodocs := map[string]bool{} // upstream's comments come from class members, whose docs tsyntax does not keep
			refused := false
			for _, f := range ar.Files {
				switch f.Name {
				case "upstream.json":
					upJSON = f.Data
				case "upstream.err":
					upErr = f.Data
				case "want.err":
					wantErr, hasWant = f.Data, true
				case "refused.txt":
					refused = true
				case "known.txt":
					for _, l := range strings.Split(string(f.Data), "\n") {
						kind, rest, _ := strings.Cut(l, " ")
						name, _, ok := strings.Cut(rest, ":")
						switch {
						case !ok:
						case kind == "order":
							known[strings.TrimSpace(name)] = true
						case kind == "nodocs":
							nodocs[strings.TrimSpace(name)] = true
						default:
							t.Fatalf("known.txt: %q: want `order Table: reason` or `nodocs Table: reason`", l)
						}
					}
				default:
					src[f.Name] = string(f.Data)
				}
			}
			if upJSON == nil && upErr == nil {
				t.Fatal("no upstream capture in the archive")
			}
			proj, err := newTTTestProject(src)
			if err != nil {
				t.Fatal(err)
			}
			res := proj.resources()
			if len(res) == 0 {
				t.Fatal("no resources in the archive")
			}
			var errs []string
			var ok []ttTestResource
			for _, r := range res {
				if _, err := ttResourceColumns(r); err != nil {
					errs = append(errs, err.Error())
				} else {
					ok = append(ok, r)
				}
			}
			gotErr := strings.Join(errs, "\n")
			if gotErr != "" {
				gotErr += "\n"
			}
			if upErr != nil && len(errs) == 0 {
				t.Fatalf("upstream failed:\n%s\nbut every table converted", firstLines(string(upErr), 8))
			}
			if upJSON != nil && len(errs) > 0 && !refused {
				t.Errorf("upstream accepted every table; we refused (list the reason in refused.txt if deliberate):\n%s", gotErr)
			}
			if *ttUpdate && (hasWant || gotErr != "") {
				ttStore(t, file, ar, "want.err", gotErr)
			} else if gotErr != string(wantErr) {
				t.Errorf("got errors:\n%swant:\n%s", gotErr, wantErr)
			}
			if upJSON == nil {
				return
			}
			var m struct {
				Tables map[string]struct {
					Name    string            `json:"name"`
					Columns []json.RawMessage `json:"columns"`
				} `json:"tables"`
				Topics map[string]struct {
					Name    string            `json:"name"`
					Columns []json.RawMessage `json:"columns"`
				} `json:"topics"`
				APIs map[string]struct {
					Name    string `json:"name"`
					APIType struct {
						Ingress *struct {
							DataModel struct {
								Columns []json.RawMessage `json:"columns"`
							} `json:"data_model"`
						} `json:"INGRESS"`
						Egress *struct {
							QueryParams []json.RawMessage `json:"query_params"`
						} `json:"EGRESS"`
					} `json:"api_type"`
				} `json:"api_endpoints"`
			}
			if err := json.Unmarshal(upJSON, &m); err != nil {
				t.Fatal(err)
			}
			byName := map[string][]json.RawMessage{}
			for _, tb := range m.Tables {
				byName["OlapTable "+tb.Name] = tb.Columns
			}
			for _, tp := range m.Topics {
				byName["Stream "+tp.Name] = tp.Columns
			}
			for _, a := range m.APIs {
				if a.APIType.Ingress != nil {
					byName["IngestApi "+a.Name] = a.APIType.Ingress.DataModel.Columns
				}
				if a.APIType.Egress != nil {
					byName["Api "+a.Name] = a.APIType.Egress.QueryParams
				}
			}
			checked := len(res) - len(ok)
			for _, r := range ok {
				up, found := byName[r.class+" "+r.name]
				if !found {
					t.Errorf("%s: no %s %q in upstream's map", r.mod.path, r.class, r.name)
					continue
				}
				checked++
				cols, err := ttResourceColumns(r)
				if err != nil {
					t.Fatal(err)
				}
				if r.class == "Api" {
					// an Api's query parameters are its columns' name, data_type and required
					var params []json.RawMessage
					for _, c := range cols {
						b, err := json.Marshal(struct {
							DataType json.RawMessage `json:"data_type"`
							Name     string          `json:"name"`
							Required bool            `json:"required"`
						}{ttMust(infra.MarshalColumnType(c.DataType)), c.Name, c.Required})
						if err != nil {
							t.Fatal(err)
						}
						params = append(params, b)
					}
					if got, want := ttRawColumnsJSON(t, params, false), ttRawColumnsJSON(t, up, false); got != want {
						t.Errorf("api %s: query parameters differ\ngot:\n%s\nwant (upstream):\n%s", r.name, got, want)
					}
					continue
				}
				for i := range cols {
					if _, ok := cols[i].DataType.(infra.Array); ok && r.class == "OlapTable" {
						cols[i].Required = true
					}
				}
				if nodocs[r.name] {
					withDocs := 0
					for i, raw := range up {
						var c map[string]any
						if err := json.Unmarshal(raw, &c); err != nil {
							t.Fatal(err)
						}
						if _, ok := c["comment"]; ok {
							withDocs++
							delete(c, "comment")
							up[i], _ = json.Marshal(c)
						}
					}
					for _, c := range cols {
						if c.Comment != nil {
							t.Errorf("table %s is listed as nodocs in known.txt but has comments now: remove it from known.txt", r.name)
						}
					}
					if withDocs == 0 {
						t.Errorf("table %s is listed as nodocs in known.txt but upstream has no comments in it", r.name)
					}
				}
				got := ttColumnsJSON(t, cols, known[r.name])
				want := ttRawColumnsJSON(t, up, known[r.name])
				if got != want {
					t.Errorf("table %s: columns differ\ngot:\n%s\nwant (upstream):\n%s", r.name, got, want)
				}
				if known[r.name] && ttColumnsJSON(t, cols, false) == ttRawColumnsJSON(t, up, false) {
					t.Errorf("table %s is listed in known.txt but its order matches upstream's: remove it from known.txt", r.name)
				}
			}
			if checked != len(byName) {
				t.Errorf("checked %d resources of upstream's %d", checked, len(byName))
			}
		})
	}
}

// ttResourceColumns converts a resource's type as its class needs: a
// Stream's and an IngestApi's may have an index signature, an Api's query
// parameters follow typia's query rule.
func ttResourceColumns(r ttTestResource) ([]infra.Column, error) {
	switch r.class {
	case "Stream", "IngestApi":
		return tsColumnsIndexOK(ttTestScope{r.mod}, r.typ)
	case "Api":
		return tsApiParamColumns(ttTestScope{r.mod}, r.typ)
	}
	return tsColumns(ttTestScope{r.mod}, r.typ)
}

func ttMust(b []byte, err error) json.RawMessage {
	if err != nil {
		panic(err)
	}
	return b
}

func firstLines(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	if len(lines) > n {
		lines = lines[:n]
	}
	return strings.Join(lines, "\n")
}

func ttStore(t *testing.T, file string, ar *txtar.Archive, name, data string) {
	t.Helper()
	found := false
	for i := range ar.Files {
		if ar.Files[i].Name == name {
			ar.Files[i].Data = []byte(data)
			found = true
		}
	}
	if !found {
		ar.Files = append(ar.Files, txtar.File{Name: name, Data: []byte(data)})
	}
	if err := os.WriteFile(file, txtar.Format(ar), 0o644); err != nil {
		t.Fatal(err)
	}
}

// ttColumnsJSON is columns' JSON with keys sorted, one column a line
// (sorted by name when unordered).
func ttColumnsJSON(t *testing.T, cols []infra.Column, unordered bool) string {
	t.Helper()
	raws := make([]json.RawMessage, len(cols))
	for i, c := range cols {
		b, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		raws[i] = b
	}
	return ttRawColumnsJSON(t, raws, unordered)
}

func ttRawColumnsJSON(t *testing.T, raws []json.RawMessage, unordered bool) string {
	t.Helper()
	lines := make([]string, len(raws))
	for i, r := range raws {
		var v any
		if err := json.Unmarshal(r, &v); err != nil {
			t.Fatal(err)
		}
		b, err := infra.MarshalSorted(v)
		if err != nil {
			t.Fatal(err)
		}
		var compact bytes.Buffer
		if err := json.Compact(&compact, b); err != nil {
			t.Fatal(err)
		}
		lines[i] = compact.String()
	}
	if unordered {
		sort.Strings(lines)
	}
	return strings.Join(lines, "\n")
}
