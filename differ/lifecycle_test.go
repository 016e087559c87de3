package differ

import (
	"strings"
	"testing"

	"github.com/moose-dev/moose-dev/infra"
)

func withLC(t *infra.Table, lc infra.LifeCycle) *infra.Table { t.LifeCycle = lc; return t }

func TestLifecycleGuards(t *testing.T) {
	id, name := col("id", infra.String), col("name", infra.String)
	reordered := func(lc infra.LifeCycle) *infra.Table {
		t := withLC(table("T", id, name), lc)
		t.OrderBy = infra.OrderBy{Fields: []string{"id", "name"}}
		return t
	}
	for _, tc := range []struct {
		name             string
		current, desired *infra.Map
		wantOps          []string
		wantBlocked      int
	}{
		{"fully managed table removed is dropped", mapOf(table("T", id)), mapOf(), []string{"DropTable:T"}, 0},
		{"deletion protected table removed is kept", mapOf(withLC(table("T", id), infra.DeletionProtected)), mapOf(), nil, 1},
		{"externally managed table removed is kept", mapOf(withLC(table("T", id), infra.ExternallyManaged)), mapOf(), nil, 1},
		{"externally managed table is never created", mapOf(), mapOf(withLC(table("T", id), infra.ExternallyManaged)), nil, 1},
		{"deletion protected table is created", mapOf(), mapOf(withLC(table("T", id), infra.DeletionProtected)), []string{"CreateTable:T"}, 0},
		{"deletion protected keeps columns but takes new ones",
			mapOf(withLC(table("T", id, name), infra.DeletionProtected)),
			mapOf(withLC(table("T", id, col("age", infra.Int64)), infra.DeletionProtected)),
			[]string{"AddTableColumn:T:age:after=id"}, 1},
		{"externally managed table is never altered",
			mapOf(withLC(table("T", id), infra.ExternallyManaged)), mapOf(withLC(table("T", id, name), infra.ExternallyManaged)), nil, 1},
		{"deletion protected ORDER BY change is not a drop and create",
			mapOf(withLC(table("T", id, name), infra.DeletionProtected)), mapOf(reordered(infra.DeletionProtected)), nil, 1},
		{"becoming deletion protected protects at once",
			mapOf(table("T", id, name)), mapOf(reordered(infra.DeletionProtected)), nil, 1},
		{"fully managed ORDER BY change recreates",
			mapOf(table("T", id, name)), mapOf(reordered(infra.FullyManaged)), []string{"DropTable:T", "CreateTable:T"}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			allowed, blocked := FilterLifecycle(Diff(tc.current, tc.desired), "local")
			if got := opNames(Plan(allowed)); !equalStrings(got, tc.wantOps) {
				t.Fatalf("ops = %v, want %v", got, tc.wantOps)
			}
			if len(blocked) != tc.wantBlocked {
				t.Fatalf("blocked = %v, want %d", blocked, tc.wantBlocked)
			}
			for _, b := range blocked {
				if b.Reason == "" {
					t.Fatal("a blocked change needs a reason")
				}
			}
		})
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestCheckLifecycleRefusesWhatTheFilterShouldHaveStopped(t *testing.T) {
	id := col("id", infra.String)
	prot := mapOf(withLC(table("P", id), infra.DeletionProtected), withLC(table("E", id), infra.ExternallyManaged), table("F", id))
	for _, tc := range []struct {
		op   infra.Operation
		fail bool
	}{
		{infra.DropTable{Table: "P"}, true},
		{infra.DropTableColumn{Table: "P", ColumnName: "id"}, true},
		{infra.AddTableColumn{Table: "P", Column: col("x", infra.Int8)}, false},
		{infra.AddTableColumn{Table: "E", Column: col("x", infra.Int8)}, true},
		{infra.DropTable{Table: "F"}, false},
		{infra.DropTable{Table: "P" + RecreateSuffix}, true},
	} {
		err := CheckLifecycle([]infra.Operation{tc.op}, prot)
		if (err != nil) != tc.fail {
			t.Errorf("%s: err = %v, want failure %v", tc.op.Describe(), err, tc.fail)
		}
	}
}

// The scenarios of upstream's lifecycle.test.ts, on the plan the differ
// makes: engine changes per lifecycle, and materialized views.
func TestUpstreamLifecycleScenarios(t *testing.T) {
	id := col("id", infra.String)
	replacing := func(lc infra.LifeCycle) *infra.Table {
		tb := withLC(table("T", id), lc)
		tb.Engine = infra.Engine{Name: "ReplacingMergeTree", Params: map[string]any{}}
		return tb
	}
	mv := func(lc infra.LifeCycle, sel string) *infra.Map {
		m := mapOf()
		m.MaterializedViews["MV"] = &infra.MaterializedView{Name: "MV", SelectSQL: sel, TargetTable: "Tgt", LifeCycle: lc}
		return m
	}
	kinds := func(ops []infra.Operation) string {
		var names []string
		for _, op := range ops {
			names = append(names, op.OpName())
		}
		return strings.Join(names, ",")
	}
	for _, tc := range []struct {
		name             string
		current, desired *infra.Map
		want             string // operation kinds, in order
	}{
		{"DELETION_PROTECTED: no drop+create on engine change",
			mapOf(withLC(table("T", id), infra.DeletionProtected)), mapOf(replacing(infra.DeletionProtected)), ""},
		{"FULLY_MANAGED: drop+create on engine change",
			mapOf(withLC(table("T", id), infra.FullyManaged)), mapOf(replacing(infra.FullyManaged)), "DropTable,CreateTable"},
		{"EXTERNALLY_MANAGED: no update on engine change",
			mapOf(withLC(table("T", id), infra.ExternallyManaged)), mapOf(replacing(infra.ExternallyManaged)), ""},
		{"MV EXTERNALLY_MANAGED: no create", mapOf(), mv(infra.ExternallyManaged, "SELECT id FROM Src"), ""},
		{"MV DELETION_PROTECTED: created", mapOf(), mv(infra.DeletionProtected, "SELECT id FROM Src"), "CreateMaterializedView"},
		{"MV DELETION_PROTECTED: no drop", mv(infra.DeletionProtected, "SELECT id FROM Src"), mapOf(), ""},
		{"MV DELETION_PROTECTED: no update on SELECT change",
			mv(infra.DeletionProtected, "SELECT id FROM Src"), mv(infra.DeletionProtected, "SELECT id, 1 FROM Src"), ""},
		{"MV FULLY_MANAGED: dropped", mv(infra.FullyManaged, "SELECT id FROM Src"), mapOf(), "DropMaterializedView"},
		{"MV FULLY_MANAGED: updated on SELECT change",
			mv(infra.FullyManaged, "SELECT id FROM Src"), mv(infra.FullyManaged, "SELECT id, 1 FROM Src"), "DropMaterializedView,CreateMaterializedView"},
	} {
		allowed, _ := FilterLifecycle(Diff(tc.current, tc.desired), "local")
		ops := Plan(allowed)
		if got := kinds(ops); got != tc.want {
			t.Errorf("%s: ops %q, want %q", tc.name, got, tc.want)
		}
		if err := CheckLifecycle(ops, tc.current, tc.desired); err != nil {
			t.Errorf("%s: the filtered plan fails the second check: %v", tc.name, err)
		}
	}
}
