package migrate

import (
	"testing"
	"unicode/utf8"

	"github.com/moose-dev/moose-dev/differ"
	"github.com/moose-dev/moose-dev/infra"
)

// plannedRename is the RENAME TABLE statement the planner writes for a
// table rename (what the plan check must read back).
func plannedRename(t *testing.T, db *string, from, to string, cluster *string) string {
	t.Helper()
	ops := differ.Plan([]differ.Change{differ.RenameTable{Before: &infra.Table{Name: from, Database: db, ClusterName: cluster},
		After: &infra.Table{Name: to, Database: db, ClusterName: cluster}}})
	if len(ops) != 1 {
		t.Fatalf("a table rename plans %d operations", len(ops))
	}
	raw, ok := ops[0].(infra.RawSQL)
	if !ok || len(raw.SQL) != 1 {
		t.Fatalf("a table rename plans %#v", ops[0])
	}
	return raw.SQL[0]
}

func sameName(a, b *string) bool { return a == nil && b == nil || a != nil && b != nil && *a == *b }

// FuzzTableRenames: the RENAME TABLE reader never panics; the statement
// the planner writes for any table names reads back as that rename; and a
// statement it reads, written again pair by pair as the planner writes
// them, reads back as the same pairs; on a cluster (ON CLUSTER) too.
func FuzzTableRenames(f *testing.F) {
	for _, s := range []string{"RENAME TABLE `a` TO `b`", "rename table local.Users to local.People", "RENAME TABLE a TO b, `c``d` TO e;",
		"RENAME TABLE `x`.`y` TO `z`", "RENAME TABLE a TO", "RENAME TABLE `a b` TO `c`", "RENAME TABLE a TO b,", "RENAME TABLE `a` TO `b` ON CLUSTER `main`"} {
		f.Add(s, "analytics", "Users", "People", "")
	}
	f.Add("RENAME TABLE a TO b ON CLUSTER c", "", "a", "b", "main")
	f.Fuzz(func(t *testing.T, q, db, from, to, cluster string) {
		var cl *string
		if cluster != "" {
			cl = &cluster
		}
		pairs := tableRenames(q)
		for _, r := range pairs {
			back := tableRenames(plannedRename(t, r.fromDB, r.from, r.to, cl))
			if len(back) != 1 || back[0].from != r.from || back[0].to != r.to || !sameName(back[0].fromDB, r.fromDB) {
				t.Fatalf("%q reads as %+v; the planner writes it as %q, which reads as %+v", q, r, plannedRename(t, r.fromDB, r.from, r.to, cl), back)
			}
		}
		if from == "" || to == "" || !utf8.ValidString(db+from+to+cluster) {
			return // a table has a name; names are text
		}
		var dbp *string
		if db != "" {
			dbp = &db
		}
		stmt := plannedRename(t, dbp, from, to, cl)
		got := tableRenames(stmt)
		if len(got) != 1 || got[0].from != from || got[0].to != to || !sameName(got[0].fromDB, dbp) || !sameName(got[0].toDB, dbp) {
			t.Fatalf("the planner writes %q for %q.%q -> %q; it reads as %+v", stmt, db, from, to, got)
		}
	})
}
