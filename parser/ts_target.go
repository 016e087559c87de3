package parser

import (
	"fmt"
	"strings"

	"github.com/moose-dev/moose-dev/parser/tsyntax"
)

// Upstream compiles for ES5 unless the project's tsconfig sets a newer
// target, and then refuses syntax ES5 has no form for. moose-dev reads it
// all; it says where upstream would stop, so a project that runs here is
// not a surprise there.

// es5Target reports whether upstream's compile would target ES5 (or ES3).
func (pr *tsProgram) es5Target() bool {
	return pr.paths.target == "" || pr.paths.target == "es5" || pr.paths.target == "es3"
}

// warnTarget adds a warning for each construct of a module upstream's ES5
// compile refuses: bigint literals, private names, regular-expression
// flags newer than ES5.
func (pr *tsProgram) warnTarget(m *tsModule) {
	if !pr.es5Target() {
		return
	}
	warn := func(p tsyntax.Pos, what, since string) {
		pr.ev.warnings = append(pr.ev.warnings, fmt.Sprintf("%s:%d:%d: upstream compiles for ES5 (tsconfig.json sets no newer \"target\") and refuses %s (%s or later); moose-dev reads it",
			m.mod.file, p.Line, p.Col, what, since))
	}
	tsyntax.WalkFile(m.ast, func(n tsyntax.Node) bool {
		switch x := n.(type) {
		case *tsyntax.NumberLit:
			if strings.HasSuffix(x.Text, "n") { // no digit of any base is an n
				warn(x.P, "the bigint literal "+x.Text, "ES2020")
			}
		case *tsyntax.PrivateName:
			warn(x.P, "the private name "+x.Name, "ES2015")
		case *tsyntax.RegexLit:
			for _, f := range []struct{ flag, since string }{{"u", "ES2015"}, {"y", "ES2015"}, {"s", "ES2018"}, {"d", "ES2022"}, {"v", "ES2024"}} {
				if strings.Contains(x.Flags, f.flag) {
					warn(x.P, "the regular-expression flag "+f.flag, f.since)
				}
			}
		}
		return true
	})
}
