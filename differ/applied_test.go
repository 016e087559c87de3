package differ

import (
	"slices"
	"strings"
	"testing"

	"github.com/moose-dev/moose-dev/infra"
)

// columnList is a table's columns, sorted: their order is no change.
func columnList(t *infra.Table) string {
	var names []string
	for _, c := range t.Columns {
		names = append(names, c.Name+" "+c.DataType.String())
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}

// Applied stores what a change left alone as it was: the whole of a
// change not applied, and for an update applied in part exactly the part
// that was not.
func TestAppliedKeepsWhatWasNotAppliedAsItWas(t *testing.T) {
	id, name, age, city := col("id", infra.String), col("name", infra.String), col("age", infra.Int64), col("city", infra.String)
	wide := age
	wide.DataType = infra.Float64
	cur := mapOf(table("T", id, name, age), table("Gone", id), table("Keys", id, name))
	keys := table("Keys", id, name)
	keys.OrderBy = infra.OrderBy{Fields: []string{"id", "name"}}
	des := mapOf(table("T", id, wide, city), table("New", id), keys)
	diff := Diff(cur, des)
	safe, held := SplitDestructive(diff, true) // held: the drops of name and of Gone

	// everything applied: the code's map
	if got := Applied(des, nil); got != des {
		t.Fatal("nothing held: the desired map itself")
	}
	// the drops held: T has the code's columns and name; Gone stays
	got := Applied(des, held)
	if c := columnList(got.Tables["local_T"]); c != "age Float64, city String, id String, name String" {
		t.Fatalf("T stored as %s", c)
	}
	if got.Tables["local_Gone"] == nil || got.Tables["local_New"] == nil {
		t.Fatalf("a held drop keeps the table, an applied add has it: %v", got.TableIDs())
	}
	// nothing applied: every table as it was
	got = Applied(des, diff)
	for _, id := range []string{"local_T", "local_Gone", "local_Keys"} {
		if columnList(got.Tables[id]) != columnList(cur.Tables[id]) || got.Tables[id].OrderBy.String() != cur.Tables[id].OrderBy.String() {
			t.Fatalf("%s stored as %s ORDER BY %s, want it as it was", id, columnList(got.Tables[id]), got.Tables[id].OrderBy)
		}
	}
	if got.Tables["local_New"] != nil {
		t.Fatal("a table not created is not stored")
	}
	if len(safe) == 0 || des.Tables["local_Gone"] != nil {
		t.Fatal("the desired map must not be modified")
	}
}
