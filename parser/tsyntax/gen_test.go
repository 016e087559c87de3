package tsyntax

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestGenTables prints table entries (source and dump) for the sources in
// the file named by $GEN, separated by lines "---": a help for writing the
// tables of parse_test.go, whose trees are then checked by hand.
func TestGenTables(t *testing.T) {
	if os.Getenv("GEN") == "" {
		t.Skip()
	}
	b, _ := os.ReadFile(os.Getenv("GEN"))
	for _, src := range strings.Split(string(b), "\n---\n") {
		src = strings.TrimSuffix(src, "\n")
		f, err := Parse([]byte(src))
		if err != nil {
			fmt.Printf("\t// ERROR %q: %v\n", src, err)
			continue
		}
		fmt.Printf("\t{%q,\n\t\t%q},\n", src, dump(f.Stmts))
	}
}
