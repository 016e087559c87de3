package differ

import (
	"testing"

	"github.com/moose-dev/moose-dev/infra"
)

func TestSplitDestructive(t *testing.T) {
	id, name, age := col("id", infra.String), col("name", infra.String), col("age", infra.Int64)
	cur := mapOf(table("Gone", id), table("T", id, name))
	des := mapOf(table("T", id, age), table("New", id))
	safe, destructive := SplitDestructive(Diff(cur, des), true)
	if got := opNames(Plan(safe)); !equalStrings(got, []string{"CreateTable:New", "AddTableColumn:T:age:after=id"}) {
		t.Fatalf("safe ops = %v", got)
	}
	if got := opNames(Plan(destructive)); !equalStrings(got, []string{"DropTable:Gone", "DropTableColumn:T:name"}) {
		t.Fatalf("destructive ops = %v", got)
	}
	for _, c := range destructive {
		if Describe(c) == "" {
			t.Fatal("a destructive change needs a description")
		}
	}
	// a recreate is destructive only when it drops the rows
	r := table("T", id, name)
	r.OrderBy = infra.OrderBy{Fields: []string{"id", "name"}}
	if _, d := SplitDestructive(Diff(mapOf(table("T", id, name)), mapOf(r)), true); len(d) != 0 {
		t.Fatalf("a recreate keeping its rows is not destructive: %v", d)
	}
	if _, d := SplitDestructive(Diff(mapOf(table("T", id, name)), mapOf(r)), false); len(d) != 1 {
		t.Fatalf("a recreate dropping its rows is destructive: %v", d)
	}
}
