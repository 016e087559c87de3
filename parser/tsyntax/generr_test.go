package tsyntax

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestGenErrors prints TestErrors entries for the sources in the file named
// by $GENERR (separated by lines "---"), to be checked by hand.
func TestGenErrors(t *testing.T) {
	if os.Getenv("GENERR") == "" {
		t.Skip()
	}
	b, _ := os.ReadFile(os.Getenv("GENERR"))
	for _, src := range strings.Split(string(b), "\n---\n") {
		src = strings.TrimSuffix(src, "\n")
		_, err := Parse([]byte(src))
		if err == nil {
			fmt.Printf("\t// NO ERROR %q\n", src)
			continue
		}
		e := err.(*Error)
		fmt.Printf("\t{%q, %d, %d, %q},\n", src, e.Pos.Line, e.Pos.Col, e.Msg)
	}
}
