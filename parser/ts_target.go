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

// tsTargetFinding is a construct upstream's ES5 compile refuses.
type tsTargetFinding struct {
	p           tsyntax.Pos
	what, since string
}

// warnTarget adds a warning for each construct of a module upstream's ES5
// compile refuses: bigint literals, private names, regular-expression
// flags newer than ES5.
func (pr *tsProgram) warnTarget(m *tsModule) {
	if !pr.es5Target() {
		return
	}
	facts := pr.ev.l.factsOf(m)
	if facts.target == nil {
		facts.target = targetFindings(m.ast)
	}
	for _, f := range facts.target {
		pr.ev.warnings = append(pr.ev.warnings, fmt.Sprintf("%s:%d:%d: upstream compiles for ES5 (tsconfig.json sets no newer \"target\") and refuses %s (%s or later); moose-dev reads it",
			m.mod.file, f.p.Line, f.p.Col, f.what, f.since))
	}
}

// targetFindings walks a syntax tree for what an ES5 target refuses
// (never nil, so that a file without any is not walked again).
func targetFindings(ast *tsyntax.File) []tsTargetFinding {
	out := []tsTargetFinding{}
	tsyntax.WalkFile(ast, func(n tsyntax.Node) bool {
		switch x := n.(type) {
		case *tsyntax.NumberLit:
			if strings.HasSuffix(x.Text, "n") { // no digit of any base is an n
				out = append(out, tsTargetFinding{x.P, "the bigint literal " + x.Text, "ES2020"})
			}
		case *tsyntax.PrivateName:
			out = append(out, tsTargetFinding{x.P, "the private name " + x.Name, "ES2015"})
		case *tsyntax.RegexLit:
			for _, f := range []struct{ flag, since string }{{"u", "ES2015"}, {"y", "ES2015"}, {"s", "ES2018"}, {"d", "ES2022"}, {"v", "ES2024"}} {
				if strings.Contains(x.Flags, f.flag) {
					out = append(out, tsTargetFinding{x.P, "the regular-expression flag " + f.flag, f.since})
				}
			}
		}
		return true
	})
	return out
}
