package parser

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func kinds(toks []Token) string {
	var b []string
	for _, t := range toks {
		switch t.Kind {
		case NAME, NUMBER, OP, STRING:
			b = append(b, t.Text)
		default:
			b = append(b, strings.ToUpper(t.Kind.String()))
		}
	}
	return strings.Join(b, " ")
}

func TestTokenizeIndentationAndContinuations(t *testing.T) {
	src := "class A:\n    x: int  # comment\n\n    y = (1,\n         2)\nz = 1 + \\\n    2\n"
	toks, err := Tokenize("f.py", src)
	if err != nil {
		t.Fatal(err)
	}
	want := "class A : NEWLINE INDENT x : int NEWLINE y = ( 1 , 2 ) NEWLINE DEDENT z = 1 + 2 NEWLINE END OF FILE"
	if got := kinds(toks); got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}

func TestStringLiterals(t *testing.T) {
	for _, tc := range []struct {
		src, want string
		isF       bool
	}{
		{`"a\tb"`, "a\tb", false},
		{`r"a\tb"`, `a\tb`, false},
		{`'it\'s'`, "it's", false},
		{`"""multi
line"""`, "multi\nline", false},
		{`"a" 'b' """c"""`, "abc", false},
		{`f"plain"`, "plain", false},
		{`f"{{braces}}"`, "{braces}", false},
		{`f"{x['k']}"`, "{x['k']}", true},
		{`f"{'nested' + "same quotes"}"`, `{'nested' + "same quotes"}`, true},
		{`"\u00e9\x41\101"`, "éAA", false},
	} {
		mod, err := Parse("f.py", "v = "+tc.src+"\n")
		if err != nil {
			t.Fatalf("%s: %v", tc.src, err)
		}
		s := mod.Body[0].(*Assign).Value.(*Str)
		if s.Value != tc.want || s.IsF != tc.isF {
			t.Errorf("%s: got %q (f=%v), want %q (f=%v)", tc.src, s.Value, s.IsF, tc.want, tc.isF)
		}
	}
}

func TestSyntaxErrorsCarryPositions(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"x = (1,\n", "f.py:1:5: '(' was never closed"},
		{"x = 1)\n", "f.py:1:6: unmatched ')'"},
		{"x = [1)\n", "f.py:1:7: closing parenthesis ')' does not match opening parenthesis '['"},
		{"def f():\nreturn 1\n", "f.py:2:1: expected an indented block"},
		{"if x:\n    a = 1\n  b = 2\n", "f.py:3:3: unindent does not match any outer indentation level"},
		{"x = 'abc\n", "f.py:1:5: unterminated string literal"},
		{"x = \"\"\"abc\n", "f.py:1:5: unterminated triple-quoted string literal"},
		{"class = 3\n", "f.py:1:7: invalid syntax: expected a name, found \"=\""},
		{"x = $\n", "f.py:1:5: invalid character '$'"},
		{"  x = 1\n", "f.py:1:3: unexpected indent"},
		{"x = 1 2\n", "f.py:1:7: invalid syntax: unexpected \"2\""},
	} {
		_, err := Parse("f.py", tc.src)
		if err == nil || err.Error() != tc.want {
			t.Errorf("%q: got %v, want %s", tc.src, err, tc.want)
		}
	}
}

func FuzzTokenize(f *testing.F) {
	for _, s := range []string{"x = 1\n", "class A:\n  pass\n", `f"{a!r}"`, "'''x", "(\n", "\\\n", "\t\n  x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		toks, err := Tokenize("f.py", src)
		if err == nil && (len(toks) == 0 || toks[len(toks)-1].Kind != EOF) {
			t.Fatal("a successful tokenization must end with EOF")
		}
		checkPositioned(t, "f.py", src, err)
	})
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"from moose_lib import OlapTable\nclass M(BaseModel):\n    id: Key[str]\nt = OlapTable[M](\"t\")\n",
		"match x:\n    case [a, *b]:\n        pass\n",
		"@d\nasync def f(a, /, b=1, *c, d, **e) -> int:\n    return [x async for x in y]\n",
		"x = lambda: (yield)\n", "a[1:2, ::3] = {**b, 'c': d}\n", "with (a as b, c):\n    pass\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		_, err := Parse("f.py", src) // must not panic or hang
		checkPositioned(t, "f.py", src, err)
	})
}

// FuzzLoad: loading any main.py never panics, and every error says
// file:line:col inside it.
func FuzzLoad(f *testing.F) {
	f.Add("from moose_lib import Key, OlapTable\nfrom pydantic import BaseModel\nclass M(BaseModel):\n    id: Key[str]\nt = OlapTable[M](\"t\")\n")
	f.Add("from app.missing import X\n")
	f.Add("from moose_lib import OlapTable\nt = OlapTable[Undefined](\"t\")\n")
	f.Add("from moose_lib import Key, OlapTable\nfrom pydantic import BaseModel\nclass M(BaseModel):\n    id: Key[str]\nfor i in range(2):\n    t = OlapTable[M](f\"t{i}\")\n")
	f.Add("from moose_lib import Key, OlapTable, OlapConfig\nfrom pydantic import BaseModel\nclass M(BaseModel):\n    id: Key[str]\nt = OlapTable[M](\"t\", OlapConfig(order_by_fields=[\"nope\"]))\n")
	f.Add("x = (1,\n")
	f.Fuzz(func(t *testing.T, src string) {
		dir := t.TempDir()
		writeProject(t, dir, map[string]string{"app/main.py": src})
		_, err := NewLoader(dir, "app", "Python").Load("local") // must not panic
		checkPositioned(t, "app/main.py", src, err)
	})
}

// checkPositioned: an error about src is a *Error naming file at a
// position inside src (line and column from 1, at most one past the end).
func checkPositioned(t *testing.T, file, src string, err error) {
	t.Helper()
	if err == nil {
		return
	}
	var pe *Error
	if !errors.As(err, &pe) {
		t.Fatalf("%q: the error has no position: %v", src, err)
	}
	lines := strings.Split(strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(src), "\n") // Python's line ends
	if pe.File != file || pe.Pos.Line < 1 || pe.Pos.Line > len(lines)+1 || pe.Pos.Col < 1 {
		t.Fatalf("%q: the error is not at a position in %s: %v", src, file, err)
	}
	if !strings.HasPrefix(err.Error(), fmt.Sprintf("%s:%d:%d: ", file, pe.Pos.Line, pe.Pos.Col)) {
		t.Fatalf("%q: the message does not start with file:line:col: %v", src, err)
	}
}

func TestSplitField(t *testing.T) {
	for in, want := range map[string][3]string{
		"x":            {"x", "", ""},
		"x!r":          {"x", "r", ""},
		"x:>10":        {"x", "", ">10"},
		"x!r:col":      {"x", "r", "col"},
		"d['a:b']":     {"d['a:b']", "", ""},
		"f(a, b)[0]:c": {"f(a, b)[0]", "", "c"},
		"a != b":       {"a != b", "", ""},
	} {
		e, c, s := splitField(in)
		if [3]string{e, c, s} != want {
			t.Errorf("splitField(%q) = %q %q %q, want %q", in, e, c, s, want)
		}
	}
}
