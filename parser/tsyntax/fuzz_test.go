package tsyntax

import (
	"testing"
	"time"
)

// fuzzSeeds are the table sources and a few hostile inputs.
func fuzzSeeds(f *testing.F) {
	for _, cases := range [][]struct{ src, want string }{stmtCases, exprCases, typeCases, asiCases, regexCases, genericCases, miscCases} {
		for _, c := range cases {
			f.Add([]byte(c.src))
		}
	}
	for _, s := range []string{
		"", "`", "`${", "`${`${", "/", "/*", "'", "\"\\", "#", "#!x", "\uFEFF", "\xff", "a\u2028b",
		"0x", "1e", "1_", "f<", "f<T>(", "a ? (b) : c => d", "<T>(x) =>", "(((", "{{{", "@", "@dec",
		"class { get", "interface I { [", "type T = { [K in", "for (", "import type", "export *",
		benchSource(3),
	} {
		f.Add([]byte(s))
	}
}

// FuzzTokenize: the tokenizer never panics and always ends, each token
// inside the source and after the previous one.
func FuzzTokenize(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, src []byte) {
		toks, err := tokenize(src)
		if err != nil {
			e := err.(*Error)
			if e.Pos.Off < 0 || e.Pos.Off > len(src) || e.Pos.Line < 1 || e.Pos.Col < 1 {
				t.Fatalf("error position %+v outside the source (%d bytes)", e.Pos, len(src))
			}
			return
		}
		last := -1
		for _, tk := range toks {
			if tk.pos.Off < last || tk.end > len(src) || tk.pos.Off > tk.end {
				t.Fatalf("token %v at %d..%d after %d (source %d bytes)", tk.kind, tk.pos.Off, tk.end, last, len(src))
			}
			last = tk.end
		}
		if len(toks) == 0 || toks[len(toks)-1].kind != tEOF {
			t.Fatalf("no end of file token")
		}
	})
}

// FuzzParse: the parser never panics or hangs; on success every node's
// position is inside the source and Walk visits them in order; on failure
// the error is an *Error inside the source.
func FuzzParse(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, src []byte) {
		start := time.Now()
		file, err := Parse(src)
		if d := time.Since(start); d > 2*time.Second && len(src) < 10000 {
			t.Fatalf("Parse took %v for %d bytes", d, len(src))
		}
		if err != nil {
			e, ok := err.(*Error)
			if !ok {
				t.Fatalf("error %T, want *Error", err)
			}
			if e.Pos.Off < 0 || e.Pos.Off > len(src) || e.Pos.Line < 1 || e.Pos.Col < 1 || e.Msg == "" {
				t.Fatalf("error %+v outside the source (%d bytes)", e, len(src))
			}
			return
		}
		last := -1
		WalkFile(file, func(n Node) bool {
			p := n.Position()
			if p.Off < last || p.Off > len(src) || p.Line < 1 || p.Col < 1 {
				t.Fatalf("%T at %+v after offset %d (source %d bytes)", n, p, last, len(src))
			}
			last = p.Off
			return true
		})
	})
}
