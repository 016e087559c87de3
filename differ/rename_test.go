package differ

import (
	"testing"

	"github.com/moose-dev/moose-dev/infra"
)

func TestProposeRenames(t *testing.T) {
	id := col("id", infra.String)
	for _, tc := range []struct {
		name            string
		before, after   []infra.Column
		wantOps         []string
		wantRenameProps int
	}{
		{"a renamed column in the same place", []infra.Column{id, col("name", infra.String)}, []infra.Column{id, col("full_name", infra.String)},
			[]string{"RenameTableColumn:name->full_name"}, 1},
		{"a similar name elsewhere", []infra.Column{id, col("user_name", infra.String), col("x", infra.Int8)},
			[]infra.Column{id, col("x", infra.Int8), col("username", infra.String)},
			[]string{"RenameTableColumn:user_name->username"}, 1},
		{"a different type is not a rename", []infra.Column{id, col("n", infra.String)}, []infra.Column{id, col("m", infra.Int64)},
			[]string{"DropTableColumn:T:n", "AddTableColumn:T:m:after=id"}, 0},
		{"a dissimilar name elsewhere is not a rename",
			[]infra.Column{id, col("alpha", infra.String), col("z", infra.Int8)}, []infra.Column{id, col("z", infra.Int8), col("omega", infra.String)},
			[]string{"DropTableColumn:T:alpha", "AddTableColumn:T:omega:after=z"}, 0},
		{"an added column placed after the renamed one", []infra.Column{id, col("name", infra.String)},
			[]infra.Column{id, col("fullname", infra.String), col("age", infra.Int64)},
			[]string{"RenameTableColumn:name->fullname", "AddTableColumn:T:age:after=fullname"}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			changes := ProposeRenames(Diff(mapOf(table("T", tc.before...)), mapOf(table("T", tc.after...))))
			if got := len(Renames(changes)); got != tc.wantRenameProps {
				t.Fatalf("renames = %v", Renames(changes))
			}
			var got []string
			for _, op := range Plan(changes) {
				if r, ok := op.(infra.RenameTableColumn); ok {
					got = append(got, "RenameTableColumn:"+r.BeforeColumnName+"->"+r.AfterColumnName)
				} else {
					got = append(got, opNames([]infra.Operation{op})...)
				}
			}
			if !equalStrings(got, tc.wantOps) {
				t.Fatalf("ops = %v, want %v", got, tc.wantOps)
			}
			// undoing the proposal gives the plain add and drop back
			plain := opNames(Plan(Diff(mapOf(table("T", tc.before...)), mapOf(table("T", tc.after...)))))
			if undone := opNames(Plan(UndoRenames(changes))); len(undone) != len(plain) {
				t.Fatalf("undone %v, plain %v", undone, plain)
			}
		})
	}
}

func TestSimilarNames(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"user_name", "username", true}, {"userName", "user_name", true}, {"name", "full_name", true},
		{"email", "emails", true}, {"email", "emial", false}, {"alpha", "omega", false}, {"id", "uuid", true}, {"price", "count", false},
	} {
		if got := similarNames(tc.a, tc.b); got != tc.want {
			t.Errorf("similarNames(%q, %q) = %v", tc.a, tc.b, got)
		}
	}
}
