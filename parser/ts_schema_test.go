package parser

import (
	"encoding/json"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/moose-dev/moose-dev/parser/tsyntax"
	"golang.org/x/tools/txtar"
)

// smTestSources holds the sources of the test projects the schema tests
// build, so that their scopes can give declarations' doc comments.
var smTestSources = map[*ttTestProject]map[string]string{}

func (s ttTestScope) declDoc(p tsyntax.Pos) (string, int) {
	src, ok := smTestSources[s.m.proj][s.m.path]
	if !ok {
		return "", 0
	}
	return smDocBefore([]byte(src), p.Off)
}

func smTestProject(t testing.TB, files map[string]string) *ttTestProject {
	t.Helper()
	p, err := newTTTestProject(files)
	if err != nil {
		t.Fatal(err)
	}
	smTestSources[p] = files
	return p
}

// smAPI is an API construction found in a test project's source: the
// endpoint key upstream's map files it under and the type its schema is of.
type smAPI struct {
	key   string
	file  string
	typ   tsyntax.Type // nil: the type argument is absent
	scope tsScope
}

func smConfigString(e tsyntax.Expr, name string) (string, bool) {
	o, ok := e.(*tsyntax.ObjectLit)
	if !ok {
		return "", false
	}
	for _, p := range o.Props {
		id, ok := p.Key.(*tsyntax.Ident)
		if !ok || id.Name != name {
			continue
		}
		switch v := p.Value.(type) {
		case *tsyntax.StringLit:
			return v.Value, true
		case *tsyntax.BoolLit:
			if v.Value {
				return "true", true
			}
			return "", false
		case *tsyntax.ObjectLit:
			return "{}", true
		}
	}
	return "", false
}

// smFindAPIs lists the IngestApi, Api, ConsumptionApi and IngestPipeline
// (with an ingest API) constructions of a project.
func smFindAPIs(p *ttTestProject) []smAPI {
	var out []smAPI
	names := make([]string, 0, len(p.mods))
	for n := range p.mods {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		m := p.mods[n]
		tsyntax.WalkFile(m.file, func(node tsyntax.Node) bool {
			nw, ok := node.(*tsyntax.New)
			if !ok {
				return true
			}
			id, ok := nw.Callee.(*tsyntax.Ident)
			if !ok || len(nw.Args) == 0 {
				return true
			}
			name := "?" // a computed name: paired with an otherwise unmatched endpoint
			if sl, ok := nw.Args[0].(*tsyntax.StringLit); ok {
				name = sl.Value
			}
			var cfg tsyntax.Expr
			var typ tsyntax.Type
			prefix := ""
			switch id.Name {
			case "IngestApi":
				prefix = "INGRESS_"
				if len(nw.Args) > 1 {
					cfg = nw.Args[1]
				}
				if len(nw.TypeArgs) > 0 {
					typ = nw.TypeArgs[0]
				}
			case "IngestPipeline":
				if len(nw.Args) < 2 {
					return true
				}
				cfg = nw.Args[1]
				if v, ok := smConfigString(cfg, "ingestApi"); !ok || v == "" {
					if v, ok := smConfigString(cfg, "ingest"); !ok || v == "" {
						return true
					}
				}
				prefix = "INGRESS_"
				if len(nw.TypeArgs) > 0 {
					typ = nw.TypeArgs[0]
				}
			case "Api", "ConsumptionApi":
				prefix = "EGRESS_"
				if len(nw.Args) > 2 {
					cfg = nw.Args[2]
				}
				if len(nw.TypeArgs) > 1 {
					typ = nw.TypeArgs[1]
				}
			default:
				return true
			}
			key := prefix + name
			if v, ok := smConfigString(cfg, "version"); ok && name != "?" {
				key += "_" + strings.ReplaceAll(v, ".", "_")
			}
			out = append(out, smAPI{key: key, file: n, typ: typ, scope: ttTestScope{m}})
			return true
		})
	}
	return out
}

func smCanon(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var x any
	if err := json.Unmarshal(b, &x); err != nil {
		t.Fatal(err)
	}
	b, _ = json.MarshalIndent(x, "", " ")
	return string(b)
}

// TestTSJSONSchemaCaptured compares the JSON schema of every IngestApi and
// Api type in the captured projects with the one upstream's map holds.
func TestTSJSONSchemaCaptured(t *testing.T) {
	files, err := filepath.Glob("testdata/ts/*.txtar")
	if err != nil {
		t.Fatal(err)
	}
	total, matched := 0, 0
	for _, file := range files {
		ar, err := txtar.ParseFile(file)
		if err != nil {
			t.Fatal(err)
		}
		srcs := map[string]string{}
		var upstream []byte
		for _, f := range ar.Files {
			switch {
			case f.Name == "upstream.json":
				upstream = f.Data
			case strings.HasSuffix(f.Name, ".ts"):
				srcs[f.Name] = string(f.Data)
			}
		}
		if upstream == nil {
			continue
		}
		var m struct {
			APIEndpoints map[string]struct {
				APIType map[string]map[string]json.RawMessage `json:"api_type"`
			} `json:"api_endpoints"`
		}
		if err := json.Unmarshal(upstream, &m); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		want := map[string]any{}
		for k, e := range m.APIEndpoints {
			var raw json.RawMessage
			if in, ok := e.APIType["INGRESS"]; ok {
				raw = in["schema"]
			} else if eg, ok := e.APIType["EGRESS"]; ok {
				raw = eg["output_schema"]
			}
			if raw == nil {
				continue
			}
			var v any
			if err := json.Unmarshal(raw, &v); err != nil {
				t.Fatal(err)
			}
			want[k] = v
		}
		if len(want) == 0 {
			continue
		}
		p := smTestProject(t, srcs)
		seen := map[string]bool{}
		base := filepath.Base(file)
		apis := smFindAPIs(p)
		for i, api := range apis {
			if !strings.HasSuffix(api.key, "_?") {
				continue
			}
			prefix := strings.TrimSuffix(api.key, "?")
			var cands []string
			for k := range want {
				known := false
				for _, a := range apis {
					known = known || a.key == k
				}
				if strings.HasPrefix(k, prefix) && !known {
					cands = append(cands, k)
				}
			}
			if len(cands) == 1 {
				apis[i].key = cands[0]
			}
		}
		for _, api := range apis {
			w, ok := want[api.key]
			if !ok {
				continue
			}
			seen[api.key] = true
			total++
			got, err := tsJSONSchema(api.scope, api.typ)
			if err != nil {
				t.Errorf("%s %s: %v", base, api.key, err)
				continue
			}
			g, ws := smCanon(t, got), smCanon(t, w)
			if g != ws {
				t.Errorf("%s %s:\n%s", base, api.key, smDiff(ws, g))
				continue
			}
			matched++
		}
		for k := range want {
			if !seen[k] {
				t.Errorf("%s: no construction found in the sources for upstream's %s", base, k)
			}
		}
	}
	t.Logf("%d of %d captured schemas match", matched, total)
	if total == 0 {
		t.Fatal("no captured schemas found")
	}
}

// smDiff shows the lines of two indented JSON texts that differ (want -, got +).
func smDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	// longest common subsequence, small inputs
	n, m := len(w), len(g)
	l := make([][]int, n+1)
	for i := range l {
		l[i] = make([]int, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if w[i] == g[j] {
				l[i][j] = l[i+1][j+1] + 1
			} else if l[i+1][j] >= l[i][j+1] {
				l[i][j] = l[i+1][j]
			} else {
				l[i][j] = l[i][j+1]
			}
		}
	}
	var b strings.Builder
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && w[i] == g[j]:
			i++
			j++
		case j < m && (i == n || l[i][j+1] >= l[i+1][j]):
			b.WriteString("+ " + g[j] + "\n")
			j++
		default:
			b.WriteString("- " + w[i] + "\n")
			i++
		}
	}
	return b.String()
}

// smQueryAPIs lists the query-parameter types of a project's Api constructions.
func smQueryAPIs(p *ttTestProject) []smAPI {
	var out []smAPI
	for _, n := range sortedTTMods(p) {
		m := p.mods[n]
		tsyntax.WalkFile(m.file, func(node tsyntax.Node) bool {
			nw, ok := node.(*tsyntax.New)
			if !ok {
				return true
			}
			id, ok := nw.Callee.(*tsyntax.Ident)
			if !ok || (id.Name != "Api" && id.Name != "ConsumptionApi") || len(nw.TypeArgs) == 0 {
				return true
			}
			out = append(out, smAPI{key: id.Name, file: n, typ: nw.TypeArgs[0], scope: ttTestScope{m}})
			return true
		})
	}
	return out
}

func sortedTTMods(p *ttTestProject) []string {
	names := make([]string, 0, len(p.mods))
	for n := range p.mods {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// TestTSQueryParamsCheckCaptured: every Api of a project upstream accepted
// passes the check; the project upstream refused for its Date parameter is
// refused at the field.
func TestTSQueryParamsCheckCaptured(t *testing.T) {
	files, err := filepath.Glob("testdata/ts/*.txtar")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, file := range files {
		ar, err := txtar.ParseFile(file)
		if err != nil {
			t.Fatal(err)
		}
		srcs := map[string]string{}
		ok := false
		for _, f := range ar.Files {
			if f.Name == "upstream.json" {
				ok = true
			}
			if strings.HasSuffix(f.Name, ".ts") {
				srcs[f.Name] = string(f.Data)
			}
		}
		base := filepath.Base(file)
		if !ok && base != "err_api_date_param.txtar" {
			continue
		}
		p := smTestProject(t, srcs)
		for _, api := range smQueryAPIs(p) {
			checked++
			err := tsQueryParamsCheck(api.scope, api.typ)
			if base == "err_api_date_param.txtar" {
				e, isErr := err.(*Error)
				if !isErr || e.File != "app/index.ts" || e.Pos.Line != 5 || e.Pos.Col != 3 || !strings.Contains(e.Msg, `"since"`) {
					t.Errorf("%s: got %v, want the field since refused at app/index.ts:5:3", base, err)
				}
				continue
			}
			if err != nil {
				t.Errorf("%s: upstream accepted %s's query parameters, got %v", base, api.file, err)
			}
		}
	}
	if checked < 5 {
		t.Fatalf("only %d Api constructions checked", checked)
	}
}

func TestTSQueryParamsCheck(t *testing.T) {
	cases := []struct {
		typ  string
		want string // "" for accepted; else a substring of the error, which must name a field at line 3
	}{
		{"{ a: string; b?: number; c: boolean | null }", ""},
		{`{ order?: "asc" | "desc"; tags?: string[]; n?: number & tags.Type<"int32"> }`, ""},
		{"{ ids: number[]; any: any }", ""},
		{"{\n x: string;\n nested: { a: string } }", `field "nested"`},
		{"{\n x: string;\n d: Date[] }", `only atomic or literal types are allowed in an array`},
		{"{\n x: string;\n u: string | number }", `a union of different types`},
		{"{\n x: string;\n t: [string, number] }", `a tuple type is not allowed`},
		{"{\n x: string;\n m: string[][] }", `field "m"`},
		{"{\n x: string;\n mixed: (string | number)[] }", `a union type is not allowed in an array`},
		{"{\n x: string;\n i: Inner }", `nested object type`},
		{"{ [k: string]: string }", `index signature`},
	}
	for _, c := range cases {
		src := "import { tags } from \"typia\";\ninterface Inner { a: string }\ntype Q = " + c.typ + ";\n"
		p := smTestProject(t, map[string]string{"app/index.ts": src})
		s := ttTestScope{p.mods["app/index.ts"]}
		err := tsQueryParamsCheck(s, &tsyntax.TypeRef{Name: "Q"})
		if c.want == "" {
			if err != nil {
				t.Errorf("%s: %v", c.typ, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an error with %q", c.typ, err, c.want)
		}
	}
	// the top level must be one object
	for _, typ := range []string{"string", "Inner | null", "Inner | { b: number }"} {
		p := smTestProject(t, map[string]string{"app/index.ts": "interface Inner { a: string }\ntype Q = " + typ + ";\n"})
		if err := tsQueryParamsCheck(ttTestScope{p.mods["app/index.ts"]}, &tsyntax.TypeRef{Name: "Q"}); err == nil {
			t.Errorf("%s: accepted", typ)
		}
	}
}
