package tsyntax

import (
	"strings"
	"testing"
)

// TestErrors checks the position and message of syntax errors, the common
// mistakes first.
func TestErrors(t *testing.T) {
	cases := []struct {
		src       string
		line, col int
		msg       string
	}{
		{"f(a, b", 1, 7, "expected ')' after arguments (the call starts at 1:2), found end of file"},
		{"f(a b)", 1, 5, "expected ')' after arguments (the call starts at 1:2), found identifier 'b'"},
		{"if (x { }", 1, 7, "expected ')' after the condition (opened at 1:4), found token '{'"},
		{"function f() {\n  return 1", 2, 11, "expected '}' to close the block (opened at 1:14), found end of file"},
		{"class A {\n  x = 1", 2, 8, "expected '}' to close the class body (opened at 1:9), found end of file"},
		{"const s = \"abc", 1, 11, "unterminated string literal"},
		{"const s = 'abc\ndef'", 1, 11, "unterminated string literal"},
		{"const t = `abc ${x}", 1, 19, "unterminated template literal"},
		{"const t = `abc", 1, 11, "unterminated template literal"},
		{"/* never closed", 1, 1, "unterminated comment"},
		{"interface { a: string }", 1, 11, "expected a name after 'interface', found token '{'"},
		{"interface I { a: string", 1, 24, "expected '}' to close the interface body (opened at 1:13), found end of file"},
		{"x = }", 1, 5, "unexpected token '}'"},
		{"}", 1, 1, "unexpected token '}'"},
		{"const = 1", 1, 7, "expected a name for the binding, found token '='"},
		{"let x = 1 2", 1, 11, "expected ';' or a line break after the declaration, found number '2'"},
		{"import { a from \"x\"", 1, 12, "expected '}' to close the list of names (opened at 1:8), found identifier 'from'"},
		{"import a \"x\"", 1, 10, "expected 'from' after the import clause, found string literal"},
		{"export default", 1, 15, "unexpected end of file"},
		{"const n = 1__0", 1, 12, "numeric separator '_' not allowed here"},
		{"const n = 3in x", 1, 12, "an identifier or keyword cannot immediately follow a numeric literal"},
		{"const n = 0x", 1, 11, "expected digits after the prefix of a numeric literal"},
		{"const n = 1e", 1, 13, "expected digits in the exponent of a numeric literal"},
		{"x = /abc", 1, 5, "unterminated regular expression literal"},
		{"x = \"\\x4\"", 1, 6, "invalid escape sequence in string literal"},
		{"x = `\\unicode`", 1, 5, "invalid escape sequence in template literal"},
		{"a => ", 1, 6, "unexpected end of file"},
		{"(a, b)\n=> 1", 2, 1, "unexpected token '=>'"},
		{"throw\nnew Error()", 2, 1, "a line break is not allowed after 'throw'"},
		{"type T = ", 1, 10, "expected a type, found end of file"},
		{"type T = string |", 1, 18, "expected a type, found end of file"},
		{"enum E { A = }", 1, 14, "unexpected token '}'"},
		{"x = {a: 1,, b: 2}", 1, 11, "expected a property name, found token ','"},
		{"for (const x of) {}", 1, 16, "unexpected token ')'"},
		{"try {}", 1, 7, "expected 'catch' or 'finally' after the try block, found end of file"},
		{"switch (x) { foo }", 1, 14, "expected 'case', 'default' or '}' in a switch body, found identifier 'foo'"},
		{"x = @", 1, 6, "expected a name after '@', found end of file"},
		{"let a = #", 1, 9, "invalid character '#'"},
		{"class C { constructor( }", 1, 24, "expected a name for the binding, found token '}'"},
		{"function (a) {}", 1, 10, "expected a function name after 'function', found token '('"},
		{"x = a ? b", 1, 10, "expected ':' in the conditional expression, found end of file"},
		{"f(...)", 1, 6, "unexpected token ')'"},
	}
	for _, c := range cases {
		f, err := Parse([]byte(c.src))
		if err == nil {
			t.Errorf("Parse(%q) = %s, want an error", c.src, dump(f.Stmts))
			continue
		}
		e, ok := err.(*Error)
		if !ok {
			t.Errorf("Parse(%q): error %T, want *Error", c.src, err)
			continue
		}
		if e.Pos.Line != c.line || e.Pos.Col != c.col || e.Msg != c.msg {
			t.Errorf("Parse(%q): %d:%d: %s\nwant %d:%d: %s", c.src, e.Pos.Line, e.Pos.Col, e.Msg, c.line, c.col, c.msg)
		}
		if want := offsetOf(c.src, c.line, c.col); e.Pos.Off != want {
			t.Errorf("Parse(%q): offset %d, want %d", c.src, e.Pos.Off, want)
		}
	}
}

// offsetOf converts a 1-based line and byte column to an offset (LF only).
func offsetOf(src string, line, col int) int {
	off := 0
	for l := 1; l < line; l++ {
		off += strings.IndexByte(src[off:], '\n') + 1
	}
	return off + col - 1
}
