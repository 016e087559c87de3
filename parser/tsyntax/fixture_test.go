package tsyntax

import (
	"os"
	"sort"
	"strings"
	"testing"
)

// TestFixtureApp parses testdata/app.ts, a Moose application module, and
// checks what a static reader needs from it.
func TestFixtureApp(t *testing.T) {
	src, err := os.ReadFile("testdata/app.ts")
	if err != nil {
		t.Fatal(err)
	}
	f := mustParse(t, string(src))
	checkPositions(t, "app.ts", string(src), f)

	// exported `new X<T>(...)` consts, by name
	var resources []string
	docs := map[string]string{}
	var news []string
	for _, s := range f.Stmts {
		ed, ok := s.(*ExportDecl)
		if !ok {
			continue
		}
		switch d := ed.Decl.(type) {
		case *VarDecl:
			if nw, ok := d.Decls[0].Init.(*New); ok {
				resources = append(resources, d.Decls[0].Name.(*Ident).Name+"="+nw.Callee.(*Ident).Name+"<"+dump(nw.TypeArgs[0])+">")
			}
		case *InterfaceDecl:
			if d.Name == "User" {
				for _, m := range d.Members {
					ps := m.(*PropSig)
					docs[ps.Name] = ps.Doc
				}
			}
		}
	}
	WalkFile(f, func(n Node) bool {
		if nw, ok := n.(*New); ok {
			news = append(news, nw.Callee.(*Ident).Name)
		}
		return true
	})
	wantRes := []string{
		`users=OlapTable<(TypeRef Name:"User")>`,
		`events=IngestPipeline<(TypeRef Name:"Event")>`,
		`enriched=Stream<(TypeRef Name:"Enriched")>`,
		`daily=MaterializedView<(ObjectType Members:[(PropSig Name:"day" Type:(KeywordType Name:"string")) (PropSig Name:"n" Type:(KeywordType Name:"number"))])>`,
		`stats=Api<(ObjectType Members:[(PropSig Name:"limit" Optional:true Type:(KeywordType Name:"number"))])>`,
	}
	if strings.Join(resources, "\n") != strings.Join(wantRes, "\n") {
		t.Errorf("resources:\n%s\nwant\n%s", strings.Join(resources, "\n"), strings.Join(wantRes, "\n"))
	}
	sort.Strings(news)
	if got := strings.Join(news, " "); got != "Api IngestPipeline MaterializedView OlapTable OlapTable Stream" {
		t.Errorf("new expressions: %s", got)
	}
	if docs["id"] != "/** The primary key. */" || docs["createdAt"] != "/** When the user signed up. */" || docs["name"] != "" || len(docs) != 11 {
		t.Errorf("User docs: %q", docs)
	}
	// the materialized view's sql template and the one nested in it
	var tpls []string
	WalkFile(f, func(n Node) bool {
		if tp, ok := n.(*Template); ok && tp.Tag != nil {
			if id, ok := tp.Tag.(*Ident); ok && id.Name == "sql" {
				tpls = append(tpls, strings.Join(tp.Raw, "${}"))
			}
		}
		return true
	})
	if len(tpls) != 3 || !strings.HasPrefix(tpls[0], "SELECT toDate(${}) AS day") || tpls[1] != "status = ${}" {
		t.Errorf("sql templates: %q", tpls)
	}
}
