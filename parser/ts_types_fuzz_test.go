package parser

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/moose-dev/moose-dev/parser/tsyntax"
	"golang.org/x/tools/txtar"
)

// ttFuzzSeeds are sources that stress the reader's guards: recursion
// through interfaces, aliases and generics, deep nesting, wide unions.
var ttFuzzSeeds = []string{
	`interface A { a: A }`,
	`interface A { a?: A[] }`,
	`interface A { b: B } interface B { a: A }`,
	`interface A extends B {} interface B extends A {}`,
	`interface A extends A { x: string }`,
	`type T = T[]`,
	`type T = { t: T }`,
	`type J = string | J[]`,
	`type F<X> = F<[X]>; interface M { f: F<string> }`,
	`interface N<T> { next: N<T[]> } interface M { n: N<string> }`,
	`type G<T> = { g: G<{ x: T }> }; interface M { g: G<number> }`,
	`type U = "a"|"b"|"c"|"d"; type X = ` + "`${U}${U}${U}${U}${U}${U}`" + `; interface M { x: X }`,
	`type U = ("a"|"b") & ("c"|"d") & ("e"|"f") & ("g"|"h") & ("i"|"j") & ("k"|"l") & ("m"|"n") & ("o"|"p") & ("q"|"r"); interface M { u: U }`,
	`enum E { A = B, B = A } interface M { e: E }`,
	`enum E { A = 1 << 40, B = ~A, C = "x" + A } interface M { e: E }`,
	`interface M { m: { [K in keyof M]: M[K] } }`,
	`type C<T> = T extends string ? C<T> : never; interface M { c: C<"x"> }`,
	`interface M { x: M["x"] }`,
	`import { Key, Int32 } from "@514labs/moose-lib"; import { tags } from "typia"; interface M { id: Key<string & tags.Format<"uuid">>; n: Int32 | null }`,
	`class K extends K { a: string = "" }`,
	`interface M { a: Partial<Partial<Partial<Omit<Pick<M, "a">, "b">>>> }`,
}

// FuzzTSColumns parses random sources and converts every interface, type
// alias and class in them: the reader must never panic or hang, and every
// failure must be a positioned *Error.
func FuzzTSColumns(f *testing.F) {
	for _, s := range ttFuzzSeeds {
		f.Add(s)
	}
	if files, _ := filepath.Glob("testdata/tstypes/*.txtar"); len(files) > 0 {
		for _, file := range files {
			ar, err := txtar.ParseFile(file)
			if err != nil {
				continue
			}
			for _, af := range ar.Files {
				if strings.HasSuffix(af.Name, ".ts") {
					f.Add(string(af.Data))
				}
			}
		}
	}
	f.Fuzz(func(t *testing.T, src string) {
		proj, err := newTTTestProject(map[string]string{"app/index.ts": src})
		if err != nil {
			return
		}
		m := proj.mods["app/index.ts"]
		for _, s := range m.file.Stmts {
			if e, ok := s.(*tsyntax.ExportDecl); ok && e.Decl != nil {
				s = e.Decl
			}
			var name string
			var params int
			switch d := s.(type) {
			case *tsyntax.InterfaceDecl:
				name, params = d.Name, len(d.TypeParams)
			case *tsyntax.TypeAliasDecl:
				name, params = d.Name, len(d.TypeParams)
			case *tsyntax.ClassDecl:
				if d.Class != nil {
					name, params = d.Name, len(d.Class.TypeParams)
				}
			}
			if name == "" {
				continue
			}
			ref := &tsyntax.TypeRef{P: s.Position(), Name: name}
			for i := 0; i < params; i++ {
				ref.Args = append(ref.Args, &tsyntax.KeywordType{P: s.Position(), Name: "string"})
			}
			for _, allow := range []bool{false, true} {
				start := time.Now()
				_, err := tsColumnsOpt(ttTestScope{m}, ref, allow)
				if d := time.Since(start); d > 2*time.Second {
					t.Fatalf("%s took %v", name, d)
				}
				var pe *Error
				if err != nil && !errors.As(err, &pe) {
					t.Fatalf("%s: error %T %v is not a *Error", name, err, err)
				}
				if pe != nil && (pe.File != "app/index.ts" || pe.Pos.Line < 1) {
					t.Fatalf("%s: error without a position: %v", name, pe)
				}
			}
			_ = tsTypeName(ttTestScope{m}, ref)
		}
	})
}

// TestTSTypesGuards checks that each stress seed ends, and that the
// recursive ones end in an error that says so.
func TestTSTypesGuards(t *testing.T) {
	recursive := map[int]string{
		0: "recursive type", 1: "recursive type", 2: "recursive type", 3: "itself", 4: "itself",
		5: "refers to itself", 6: "recursive type", 7: "refers to itself", 8: "refers to itself",
		9: "recursive type", 10: "", 16: "refers to itself", 17: "refers to itself",
	}
	for i, src := range ttFuzzSeeds {
		proj, err := newTTTestProject(map[string]string{"app/index.ts": src})
		if err != nil {
			t.Fatalf("seed %d: %v", i, err)
		}
		m := proj.mods["app/index.ts"]
		var last tsyntax.Stmt
		for _, s := range m.file.Stmts {
			switch s.(type) {
			case *tsyntax.InterfaceDecl, *tsyntax.TypeAliasDecl, *tsyntax.ClassDecl:
				last = s
			}
		}
		name := ""
		switch d := last.(type) {
		case *tsyntax.InterfaceDecl:
			name = d.Name
		case *tsyntax.TypeAliasDecl:
			name = d.Name
		case *tsyntax.ClassDecl:
			name = d.Name
		}
		start := time.Now()
		_, err = tsColumns(ttTestScope{m}, &tsyntax.TypeRef{P: last.Position(), Name: name})
		if d := time.Since(start); d > time.Second {
			t.Errorf("seed %d took %v", i, d)
		}
		want, ok := recursive[i]
		if !ok {
			continue
		}
		if err == nil {
			t.Errorf("seed %d (%s): no error, want one saying %q", i, src, want)
			continue
		}
		if !strings.Contains(err.Error(), want) {
			t.Errorf("seed %d (%s): error %q does not say %q", i, src, err, want)
		}
	}
}
