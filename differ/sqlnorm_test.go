package differ

import (
	"strings"
	"testing"

	"github.com/moose-dev/moose-dev/infra"
)

func TestNormalizeSQL(t *testing.T) {
	same := [][2]string{
		{"SELECT a, b FROM t", "select a,b\n  from t"},
		{"SELECT `a` FROM `t` WHERE x = 1", "SELECT a FROM t WHERE x=1"},
		{"SELECT a FROM local.events", "SELECT a FROM events"},
		{"SELECT a FROM `local`.`events`", "SELECT a FROM events"},
		{"SELECT count() AS n FROM t GROUP BY k ORDER BY n DESC", "select count() as n from t group by k order by n desc"},
		{`SELECT "a" FROM t`, "SELECT a FROM t"},
	}
	for _, p := range same {
		if a, b := NormalizeSQL(p[0], "local"), NormalizeSQL(p[1], "local"); a != b {
			t.Errorf("%q and %q should be the same query:\n%s\n%s", p[0], p[1], a, b)
		}
	}
	different := [][2]string{
		{"SELECT Foo FROM t", "SELECT foo FROM t"},             // identifiers are case-sensitive
		{"SELECT 'a  b' FROM t", "SELECT 'a b' FROM t"},        // literals are kept
		{"SELECT 'Hello' FROM t", "SELECT 'hello' FROM t"},     // literals keep their case
		{"SELECT a FROM other.events", "SELECT a FROM events"}, // another database's table
		{"SELECT a FROM t WHERE x = 1", "SELECT a FROM t WHERE x = 2"},
	}
	for _, p := range different {
		if a, b := NormalizeSQL(p[0], "local"), NormalizeSQL(p[1], "local"); a == b {
			t.Errorf("%q and %q must differ, both normalize to %s", p[0], p[1], a)
		}
	}
}

// A reformatted view is no change; a changed one is an update.
func TestViewsCompareOnNormalizedSQL(t *testing.T) {
	cur, des := mapOf(), mapOf()
	cur.MaterializedViews["MV"] = &infra.MaterializedView{Name: "MV", SelectSQL: "select id, count() as n from local.Src group by id", TargetTable: "T"}
	des.MaterializedViews["MV"] = &infra.MaterializedView{Name: "MV", SelectSQL: "SELECT id,\n       count() AS n\nFROM `Src`\nGROUP BY id", TargetTable: "T"}
	if c := Diff(cur, des); len(c) != 0 {
		t.Fatalf("a reformatted MV changed: %v", c)
	}
	des.MaterializedViews["MV"].SelectSQL = "SELECT id, count() AS n FROM Src WHERE id != '' GROUP BY id"
	if c := Diff(cur, des); len(c) != 1 {
		t.Fatalf("a changed MV must be one update: %v", c)
	}
}

func FuzzNormalizeSQL(f *testing.F) {
	for _, s := range []string{"SELECT a, b FROM local.t WHERE x = 'y\\'z'", "select `a` from \"t\"", "'unterminated", "`open", "a.b.c", "é ü 1.5e3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := NormalizeSQL(s, "local")
		if strings.ContainsAny(s, "'`\"\\") {
			return
		}
		// without quotes, line breaks and extra spaces never matter
		if m := NormalizeSQL(strings.ReplaceAll(s, " ", " \n\t "), "local"); m != n {
			t.Fatalf("%q: %q vs %q", s, n, m)
		}
	})
}
