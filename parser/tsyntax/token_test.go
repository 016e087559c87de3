package tsyntax

import (
	"strings"
	"testing"
)

func kinds(toks []token) string {
	var b []string
	for _, t := range toks {
		s := t.kind.String()
		switch t.kind {
		case tName, tNumber, tPrivate, tRegex:
			s = t.val
		case tString:
			s = "str:" + t.val
		case tTemplate, tTemplateHead, tTemplateMiddle, tTemplateTail:
			s = "tpl:" + t.val
		}
		b = append(b, s)
	}
	return strings.Join(b, " ")
}

func TestTokenize(t *testing.T) {
	cases := []struct{ src, want string }{
		{"a >>>= b >> c >= d > e", "a >>>= b >> c >= d > e end of file"},
		{"x?.y ?? z ?.5:1", "x ?. y ?? z ? .5 : 1 end of file"},
		{"a = `x${ {b:1} }y${c}z` / 2", "a = tpl:x { b : 1 } tpl:y c tpl:z / 2 end of file"},
		{"f(/re/g, (a) / 2)", "f ( re , ( a ) / 2 ) end of file"},
		// without a parser, a '/' after ')' is a division (the parser knows
		// better: see regexCases)
		{"if (a) /re/g", "if ( a ) / re / g end of file"},
		{"return /x/", "return x end of file"},
		{"#priv in o", "#priv in o end of file"},
		{"a...b", "a ... b end of file"},
		{"x /* c */ // d\n y", "x y end of file"},
		{"@dec class", "@ dec class end of file"},
		{"a=>b", "a => b end of file"},
		{"\\u0061b c\\u{64}", "ab cd end of file"},
		{"ünï ×", ""},
	}
	for _, c := range cases {
		toks, err := tokenize([]byte(c.src))
		if c.want == "" {
			if err == nil {
				t.Errorf("tokenize(%q) = %s, want an error", c.src, kinds(toks))
			}
			continue
		}
		if err != nil {
			t.Errorf("tokenize(%q): %v", c.src, err)
			continue
		}
		if got := kinds(toks); got != c.want {
			t.Errorf("tokenize(%q)\n got %s\nwant %s", c.src, got, c.want)
		}
	}
}

func TestNumbers(t *testing.T) {
	for _, n := range []string{"0", "42", "1_000_000", "0x1F", "0XAB_CD", "0o17", "0b1010_0101", "10n",
		"0xFFn", "1e10", "1E-5", "2.5e+3", ".5", "5.", "017", "08", "1_0.2_5", "0.0"} {
		toks, err := tokenize([]byte(n))
		if err != nil || len(toks) != 2 || toks[0].kind != tNumber || toks[0].val != n {
			t.Errorf("tokenize(%q) = %s, %v; want one number", n, kinds(toks), err)
		}
	}
	for _, n := range []string{"1_", "1__0", "0x_1", "0b2", "1e", "1.5n", "1e5n", "3in", "0o8", "1._5"} {
		if toks, err := tokenize([]byte(n)); err == nil {
			t.Errorf("tokenize(%q) = %s, want an error", n, kinds(toks))
		}
	}
}

func TestStringEscapes(t *testing.T) {
	cases := []struct{ src, want string }{
		{`"plain"`, "plain"},
		{`'single "q"'`, `single "q"`},
		{`"a\nb\tc\rd\be\ff\vg"`, "a\nb\tc\rd\be\ff\vg"},
		{`"\u0041\u{42}\u{1F600}"`, "AB\U0001F600"},
		{`"\uD83D\uDE00"`, "\U0001F600"},
		{`"\uD83D"`, "\uFFFD"},
		{`"\x41\x7a"`, "Az"},
		{"\"a\\\nb\"", "ab"},
		{"\"a\\\r\nb\"", "ab"},
		{"\"a\\\u2028b\"", "ab"},
		{`"\0"`, "\x00"},
		{`"\101\7"`, "A\x07"},
		{`"\q\'\"\\"`, `q'"\`},
		{`"\8"`, "8"},
		{"\"é\u2028\"", "é\u2028"},
	}
	for _, c := range cases {
		toks, err := tokenize([]byte(c.src))
		if err != nil || toks[0].kind != tString || toks[0].val != c.want {
			t.Errorf("tokenize(%s) = %s, %v; want str:%q", c.src, kinds(toks), err, c.want)
		}
	}
	for _, bad := range []string{`"\x4"`, `"\u12"`, `"\u{110000}"`, `"\u{}"`, "\"a\nb\"", `"abc`} {
		if toks, err := tokenize([]byte(bad)); err == nil {
			t.Errorf("tokenize(%q) = %s, want an error", bad, kinds(toks))
		}
	}
}

func TestTemplates(t *testing.T) {
	str := func(p *string) string {
		if p == nil {
			return "<nil>"
		}
		return *p
	}
	cases := []struct {
		src          string
		cooked, raws []string
	}{
		{"`a\\nb`", []string{"a\nb"}, []string{`a\nb`}},
		{"`a\r\nb`", []string{"a\nb"}, []string{"a\nb"}},
		{"`a\rb`", []string{"a\nb"}, []string{"a\nb"}},
		{"`a\\\r\nb`", []string{"ab"}, []string{"a\\\nb"}},
		{"`x${1}y${2}`", []string{"x", "y", ""}, []string{"x", "y", ""}},
		{"`\\u{61}\\x62\\``", []string{"ab`"}, []string{"\\u{61}\\x62\\`"}},
		{"`$ {} $`", []string{"$ {} $"}, []string{"$ {} $"}},
		{"tag`\\unicode and \\u{61}`", []string{"<nil>"}, []string{"\\unicode and \\u{61}"}},
		{"tag`ok${x}\\01`", []string{"ok", "<nil>"}, []string{"ok", "\\01"}},
		{"tag`\\0`", []string{"\x00"}, []string{"\\0"}},
	}
	for _, c := range cases {
		f := mustParse(t, c.src)
		tpl := f.Stmts[0].(*ExprStmt).Expr.(*Template)
		var cooked []string
		for _, p := range tpl.Cooked {
			cooked = append(cooked, str(p))
		}
		if strings.Join(cooked, "|") != strings.Join(c.cooked, "|") || strings.Join(tpl.Raw, "|") != strings.Join(c.raws, "|") {
			t.Errorf("%q: cooked %q raw %q, want %q %q", c.src, cooked, tpl.Raw, c.cooked, c.raws)
		}
		if len(tpl.Cooked) != len(tpl.Exprs)+1 || len(tpl.Raw) != len(tpl.Cooked) {
			t.Errorf("%q: %d parts for %d substitutions", c.src, len(tpl.Cooked), len(tpl.Exprs))
		}
	}
}
