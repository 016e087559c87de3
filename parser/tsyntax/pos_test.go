package tsyntax

import (
	"strings"
	"testing"
)

// lineStarts returns the offsets at which lines start, with the line
// terminators the scanner counts (LF, CR, CRLF, U+2028, U+2029).
func lineStarts(src string) []int {
	starts := []int{0}
	for i := 0; i < len(src); i++ {
		switch {
		case src[i] == '\n':
			starts = append(starts, i+1)
		case src[i] == '\r':
			if i+1 < len(src) && src[i+1] == '\n' {
				i++
			}
			starts = append(starts, i+1)
		case strings.HasPrefix(src[i:], "\u2028") || strings.HasPrefix(src[i:], "\u2029"):
			starts = append(starts, i+3)
			i += 2
		}
	}
	if strings.HasPrefix(src, "\uFEFF") {
		starts[0] = 3
	}
	return starts
}

// checkPositions checks invariants of a tree's positions: line and column
// agree with the offset, Walk visits nodes in source order, and nodes
// whose first token is known start with it.
func checkPositions(t *testing.T, name, src string, f *File) {
	t.Helper()
	starts := lineStarts(src)
	escapes := strings.ContainsRune(src, '\\') // names may be written with \u escapes
	last := -1
	errs := 0
	fail := func(n Node, msg string) {
		if errs++; errs <= 5 {
			p := n.Position()
			t.Errorf("%s: %T at %d:%d (offset %d): %s", name, n, p.Line, p.Col, p.Off, msg)
		}
	}
	WalkFile(f, func(n Node) bool {
		p := n.Position()
		if p.Line < 1 || p.Line > len(starts) || starts[p.Line-1]+p.Col-1 != p.Off {
			fail(n, "line and column disagree with the offset")
			return true
		}
		if p.Off < last {
			fail(n, "visited after a node at a later offset")
		}
		last = p.Off
		at := src[p.Off:]
		prefix := func(ws ...string) {
			for _, w := range ws {
				if strings.HasPrefix(at, w) {
					return
				}
			}
			fail(n, "source there is "+strings.SplitN(at, "\n", 2)[0]+", want one of "+strings.Join(ws, " "))
		}
		switch n := n.(type) {
		case *Ident:
			if !escapes {
				prefix(n.Name)
			}
		case *NumberLit:
			prefix(n.Text)
		case *StringLit:
			prefix(`"`, `'`)
		case *PrivateName:
			prefix(n.Name)
		case *KeywordType:
			prefix(n.Name)
		case *TypeRef:
			if !escapes {
				prefix(strings.SplitN(n.Name, ".", 2)[0])
			}
		case *Member:
			if !escapes && !strings.HasPrefix(src[n.NamePos.Off:], n.Name) {
				fail(n, "NamePos is not at the name")
			}
		case *VarDecl:
			prefix(n.Kind, "declare", "await")
		case *FuncDecl:
			prefix("function", "async", "declare")
		case *InterfaceDecl:
			prefix("interface", "declare")
			if !strings.HasPrefix(src[n.NamePos.Off:], n.Name) {
				fail(n, "NamePos is not at the name")
			}
		case *TypeAliasDecl:
			prefix("type", "declare")
		case *ClassDecl:
			prefix("class", "abstract", "declare", "@")
		case *ImportDecl:
			prefix("import")
		case *ExportDecl:
			prefix("export", "@")
		case *ExportNames, *ExportDefault, *ExportAssign:
			prefix("export")
		case *Block, *ObjectLit, *ObjectPattern, *ObjectType:
			if _, isBlock := n.(*Block); !isBlock {
				prefix("{")
			}
		case *ArrayLit, *ArrayPattern, *TupleType:
			prefix("[")
		case *Paren, *ParenType:
			prefix("(")
		case *Template:
			if n.Tag == nil {
				prefix("`")
			}
		}
		return true
	})
}

// TestPositions checks the positions of the parts of a typical module.
func TestPositions(t *testing.T) {
	src := "import { a } from \"x\"\n" +
		"\n" +
		"export const t = new OlapTable<Row>(\"t\", {\n" +
		"  orderByFields: [\"a\"],\n" +
		"})\n"
	f := mustParse(t, src)
	checkPositions(t, "module", src, f)
	imp := f.Stmts[0].(*ImportDecl)
	exp := f.Stmts[1].(*ExportDecl)
	vd := exp.Decl.(*VarDecl)
	nw := vd.Decls[0].Init.(*New)
	obj := nw.Args[1].(*ObjectLit)
	got := map[string]Pos{
		"import": imp.P, "from": imp.FromPos, "name": imp.Names[0].P,
		"export": exp.P, "const": vd.P, "declarator": vd.Decls[0].P, "new": nw.P,
		"callee": nw.Callee.Position(), "typearg": nw.TypeArgs[0].Position(),
		"string": nw.Args[0].Position(), "object": obj.P, "prop": obj.Props[0].P,
		"array": obj.Props[0].Value.Position(),
	}
	want := map[string]Pos{
		"import": {1, 1, 0}, "from": {1, 19, 18}, "name": {1, 10, 9},
		"export": {3, 1, 23}, "const": {3, 8, 30}, "declarator": {3, 14, 36}, "new": {3, 18, 40},
		"callee": {3, 22, 44}, "typearg": {3, 32, 54}, "string": {3, 37, 59}, "object": {3, 42, 64},
		"prop": {4, 3, 68}, "array": {4, 18, 83},
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s at %+v, want %+v", k, got[k], w)
		}
	}
}

// TestPositionsInTables runs the position invariants over every table source.
func TestPositionsInTables(t *testing.T) {
	for _, cases := range [][]struct{ src, want string }{stmtCases, exprCases, typeCases, asiCases, regexCases, genericCases, miscCases} {
		for _, c := range cases {
			f, err := Parse([]byte(c.src))
			if err != nil {
				continue // reported by the table tests
			}
			checkPositions(t, c.src, c.src, f)
		}
	}
}

// TestLineTerminators checks lines and columns after CRLF, CR, U+2028, a
// byte order mark and a hashbang line.
func TestLineTerminators(t *testing.T) {
	cases := []struct {
		src       string
		line, col int
		off       int
	}{
		{"a\r\nb", 2, 1, 3},
		{"a\rb", 2, 1, 2},
		{"a\u2028b", 2, 1, 4},
		{"a /* x\n y */ b", 2, 7, 13},
		{"a\n// c\nb", 3, 1, 7},
		{"\uFEFFa; b", 1, 4, 6},
		{"#!/usr/bin/env node\nb", 2, 1, 20},
		{"a; 'x\\\ny'; b", 2, 5, 11},
		{"a; `x\r\ny`; b", 2, 5, 11},
		{"\tb", 1, 2, 1},
		{"é; b", 1, 5, 4},
	}
	for _, c := range cases {
		f := mustParse(t, c.src)
		last := f.Stmts[len(f.Stmts)-1].(*ExprStmt).Expr.(*Ident)
		if last.Name != "b" || last.P != (Pos{c.line, c.col, c.off}) {
			t.Errorf("%q: %s at %+v, want b at %d:%d (%d)", c.src, last.Name, last.P, c.line, c.col, c.off)
		}
		checkPositions(t, c.src, c.src, f)
	}
	// the BOM does not shift columns
	f := mustParse(t, "\uFEFFconst x = 1")
	if p := f.Stmts[0].Position(); p != (Pos{1, 1, 3}) {
		t.Errorf("after a BOM: %+v, want 1:1 (offset 3)", p)
	}
}

// TestDocComments checks PropSig.Doc: the last /** */ comment between the
// previous token and the member (its modifiers included), never // or /* */.
func TestDocComments(t *testing.T) {
	src := `interface A {
  /** one */
  a: string;
  /** two */ /* plain */ b: number;
  // line
  c: number;
  /** first */
  /** second */
  d: number;
  /**/ e: number;
  /** ro */ readonly f: number;
  readonly /** after the modifier */ g: number;
  /**
   * multi
   */
  h?: string
  i: string /** trailing, so i's successor's */
  j: string
  /* * not doc */ k: string
}
type T = { /** in a literal */ x: number, y: { /** nested */ z: 1 } }
`
	f := mustParse(t, src)
	want := map[string]string{
		"a": "/** one */", "b": "/** two */", "c": "", "d": "/** second */", "e": "",
		"f": "/** ro */", "g": "", "h": "/**\n   * multi\n   */", "i": "",
		"j": "/** trailing, so i's successor's */", "k": "",
		"x": "/** in a literal */", "y": "", "z": "/** nested */",
	}
	seen := 0
	WalkFile(f, func(n Node) bool {
		if ps, ok := n.(*PropSig); ok {
			seen++
			if w, ok := want[ps.Name]; !ok || ps.Doc != w {
				t.Errorf("%s: Doc %q, want %q", ps.Name, ps.Doc, w)
			}
		}
		return true
	})
	if seen != len(want) {
		t.Errorf("saw %d properties, want %d", seen, len(want))
	}
}

// TestDepthLimit: deep nesting is an error, not a crash; ordinary depth parses.
func TestDepthLimit(t *testing.T) {
	ok := []string{
		"x = " + strings.Repeat("(", 1000) + "1" + strings.Repeat(")", 1000),
		"type T = " + strings.Repeat("Array<", 500) + "1" + strings.Repeat(">", 500),
	}
	for _, src := range ok {
		if _, err := Parse([]byte(src)); err != nil {
			t.Errorf("Parse(%.20q...): %v", src, err)
		}
	}
	deep := []string{
		"x = " + strings.Repeat("(", 100000),
		"x = " + strings.Repeat("[", 100000),
		"x = " + strings.Repeat("{a:", 100000),
		"x = " + strings.Repeat("!", 100000) + "y",
		"x = " + strings.Repeat("-", 100000) + "y",
		strings.Repeat("{", 100000),
		strings.Repeat("if (x) ", 100000) + ";",
		"type T = " + strings.Repeat("Array<", 100000),
		"type T = " + strings.Repeat("(", 100000),
		"type T = " + strings.Repeat("keyof ", 100000) + "X",
		"let " + strings.Repeat("[", 100000),
		"x = " + strings.Repeat("a => ", 100000) + "1",
		"x = " + strings.Repeat("`${", 100000),
	}
	for _, src := range deep {
		_, err := Parse([]byte(src))
		if err == nil || !strings.Contains(err.Error(), "nesting too deep") {
			t.Errorf("Parse(%.20q...): %v, want nesting too deep", src, err)
		}
	}
}
