package differ

import (
	"strings"
	"testing"

	"github.com/moose-dev/moose-dev/infra"
)

func TestProposeRenames(t *testing.T) {
	id := col("id", infra.String)
	for _, tc := range []struct {
		name          string
		before, after []infra.Column
		wantOps       []string
		wantRenames   []string
	}{
		{"a renamed column in the same place", []infra.Column{id, col("name", infra.String)}, []infra.Column{id, col("full_name", infra.String)},
			[]string{"RenameTableColumn:name->full_name"}, []string{"rename column T.name to full_name (keeps its data)"}},
		{"a similar name elsewhere", []infra.Column{id, col("user_name", infra.String), col("x", infra.Int8)},
			[]infra.Column{id, col("x", infra.Int8), col("username", infra.String)},
			[]string{"RenameTableColumn:user_name->username"}, []string{"rename column T.user_name to username (keeps its data)"}},
		{"a different type is not a rename", []infra.Column{id, col("n", infra.String)}, []infra.Column{id, col("m", infra.Int64)},
			[]string{"DropTableColumn:T:n", "AddTableColumn:T:m:after=id"}, nil},
		{"a dissimilar name elsewhere is not a rename",
			[]infra.Column{id, col("alpha", infra.String), col("z", infra.Int8)}, []infra.Column{id, col("z", infra.Int8), col("omega", infra.String)},
			[]string{"DropTableColumn:T:alpha", "AddTableColumn:T:omega:after=z"}, nil},
		{"an added column placed after the renamed one", []infra.Column{id, col("name", infra.String)},
			[]infra.Column{id, col("fullname", infra.String), col("age", infra.Int64)},
			[]string{"RenameTableColumn:name->fullname", "AddTableColumn:T:age:after=fullname"}, []string{"rename column T.name to fullname (keeps its data)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			changes := ProposeRenames(Diff(mapOf(table("T", tc.before...)), mapOf(table("T", tc.after...))))
			if got := Renames(changes); !equalStrings(got, tc.wantRenames) {
				t.Fatalf("renames = %q, want %q", got, tc.wantRenames)
			}
			names := func(ops []infra.Operation) []string {
				var out []string
				for _, op := range ops {
					if r, ok := op.(infra.RenameTableColumn); ok {
						out = append(out, "RenameTableColumn:"+r.BeforeColumnName+"->"+r.AfterColumnName)
					} else {
						out = append(out, opNames([]infra.Operation{op})...)
					}
				}
				return out
			}
			if got := names(Plan(changes)); !equalStrings(got, tc.wantOps) {
				t.Fatalf("ops = %v, want %v", got, tc.wantOps)
			}
			// undoing the proposal gives the plain drop and add back
			plain := names(Plan(Diff(mapOf(table("T", tc.before...)), mapOf(table("T", tc.after...)))))
			if undone := names(Plan(UndoRenames(changes))); !equalStrings(undone, plain) {
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

func TestProposeTableRenames(t *testing.T) {
	id, name := col("id", infra.String), col("name", infra.String)
	analytics := "analytics"
	inDB := func(t *infra.Table, db string) *infra.Table { t.Database = &db; return t }
	rawSQL := func(ops []infra.Operation) []string {
		var out []string
		for _, op := range ops {
			if r, ok := op.(infra.RawSQL); ok {
				out = append(out, r.SQL...)
			} else {
				out = append(out, opNames([]infra.Operation{op})...)
			}
		}
		return out
	}
	for _, tc := range []struct {
		name             string
		current, desired *infra.Map
		want             []string
	}{
		{"the same table under a similar name is a rename", mapOf(table("PageView", id, name)), mapOf(table("PageViews", id, name)),
			[]string{"RENAME TABLE `PageView` TO `PageViews`"}},
		{"in its own database", mapOf(inDB(table("events", id), analytics)), mapOf(inDB(table("events_v2", id), analytics)),
			[]string{"RENAME TABLE `analytics`.`events` TO `analytics`.`events_v2`"}},
		{"a new version with the same definition", mapOf(table("Foo_1_0", id)), mapOf(table("Foo_1_1", id)),
			[]string{"RENAME TABLE `Foo_1_0` TO `Foo_1_1`"}},
		{"a different column is not a rename", mapOf(table("PageView", id, name)), mapOf(table("PageViews", id)),
			[]string{"DropTable:PageView", "CreateTable:PageViews"}},
		{"a different ORDER BY is not a rename", mapOf(table("Orders", id, name)),
			mapOf(&infra.Table{Name: "Orderz", Columns: []infra.Column{id, name}, Engine: infra.MergeTree, OrderBy: infra.OrderBy{Fields: []string{"name"}}}),
			[]string{"DropTable:Orders", "CreateTable:Orderz"}},
		{"a dissimilar name is not a rename", mapOf(table("Orders", id)), mapOf(table("Customers", id)),
			[]string{"DropTable:Orders", "CreateTable:Customers"}},
		{"another database is not a rename", mapOf(table("events", id)), mapOf(inDB(table("events2", id), analytics)),
			[]string{"DropTable:events", "CreateTable:events2"}},
		{"two candidates are ambiguous: nothing is proposed", mapOf(table("Event1", id), table("Event2", id)), mapOf(table("Event", id)),
			[]string{"DropTable:Event1", "DropTable:Event2", "CreateTable:Event"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			diff := Diff(tc.current, tc.desired)
			proposed := ProposeRenames(diff)
			got := rawSQL(Plan(proposed))
			if !equalStrings(got, tc.want) {
				t.Fatalf("ops = %q, want %q", got, tc.want)
			}
			renamed := len(got) == 1 && strings.HasPrefix(got[0], "RENAME TABLE")
			if renamed {
				if r := Renames(proposed); len(r) != 1 || !strings.HasPrefix(r[0], "rename table ") {
					t.Fatalf("Renames = %q", r)
				}
				if infra.MaxRisk(Plan(proposed)) != infra.RiskSafe {
					t.Fatal("a table rename should be safe")
				}
			}
			// declined, the proposal is the plain drop and create again
			if undone, plain := opNames(Plan(UndoRenames(proposed))), opNames(Plan(diff)); !equalStrings(undone, plain) {
				t.Fatalf("undone %v, plain %v", undone, plain)
			}
		})
	}
}
