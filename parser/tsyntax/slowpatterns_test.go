package tsyntax

import (
	"strings"
	"testing"
	"time"
)

// TestSlowPatterns: inputs that make a backtracking parser exponential
// (nested arrow-or-parenthesis, type-arguments-or-comparison, conditional
// branches) parse in well under a second at 200 levels.
func TestSlowPatterns(t *testing.T) {
	pats := map[string]func(n int) string{
		"defaults":  func(n int) string { return strings.Repeat("(a = ", n) + "1" + strings.Repeat(")", n) },
		"defaults2": func(n int) string { return strings.Repeat("(a, b = ", n) + "1" + strings.Repeat(")", n) },
		"lt":        func(n int) string { return strings.Repeat("a < ", n) + "b" },
		"lt2":       func(n int) string { return strings.Repeat("f < (", n) },
		"arr":       func(n int) string { return strings.Repeat("([", n) + strings.Repeat("])", n) },
		"obj":       func(n int) string { return strings.Repeat("({a:", n) + "1" + strings.Repeat("})", n) },
		"cond":      func(n int) string { return strings.Repeat("a ? (b) : ", n) + "c" },
		"cond2":     func(n int) string { return strings.Repeat("a ? (b): ", n) + "c" },
		"async":     func(n int) string { return strings.Repeat("async (", n) + strings.Repeat(")", n) },
		"generic":   func(n int) string { return strings.Repeat("<T>(", n) + strings.Repeat(")", n) },
		"ftype":     func(n int) string { return "type T = " + strings.Repeat("(a: ", n) + "x" + strings.Repeat(") => x", n) },
		"ftype2":    func(n int) string { return "type T = " + strings.Repeat("((", n) + "x" + strings.Repeat("))", n) },
		"infer":     func(n int) string { return "type T = " + strings.Repeat("X extends infer U extends ", n) + "Y" },
		"targs":     func(n int) string { return strings.Repeat("f<g<", n) + strings.Repeat(">>", n) + "()" },
		"parenlt":   func(n int) string { return strings.Repeat("(a<", n) },
		"brackets":  func(n int) string { return strings.Repeat("([a, (", n) },
		"mixed":     func(n int) string { return strings.Repeat("(a, [b, {c: (d = <T>(", n) },
		"tmpl":      func(n int) string { return strings.Repeat("`${(a, ", n) },
		"objpat":    func(n int) string { return strings.Repeat("({a = (", n) },
	}
	for name, f := range pats {
		for _, n := range []int{10, 20, 40, 200} {
			src := f(n)
			start := time.Now()
			Parse([]byte(src))
			d := time.Since(start)
			if d > time.Second {
				t.Errorf("%s, %d levels: %v", name, n, d)
				break
			}
		}
	}
}
