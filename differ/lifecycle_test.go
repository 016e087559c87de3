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
		{"removing the protection with an ORDER BY change recreates (the target lifecycle decides)",
			mapOf(withLC(table("T", id, name), infra.DeletionProtected)), mapOf(reordered(infra.FullyManaged)), []string{"DropTable:T", "CreateTable:T"}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			allowed, blocked := FilterLifecycle(Diff(tc.current, tc.desired), "local")
			if got := opNames(Plan(allowed)); !equalStrings(got, tc.wantOps) {
				t.Fatalf("ops = %v, want %v", got, tc.wantOps)
			}
			if err := CheckLifecycle(Plan(allowed), tc.current, tc.desired); err != nil {
				t.Fatalf("the guard refuses what the filter allowed: %v", err)
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
		err := CheckLifecycle([]infra.Operation{tc.op}, prot, prot)
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

// Upstream's lifecycle_filter.rs guard cases (test_guard_*), on the
// operations they would produce: each names the violation kind expected, or
// none.
func TestUpstreamLifecycleGuardCases(t *testing.T) {
	id := col("id", infra.String)
	tbl := func(name string, lc infra.LifeCycle) *infra.Table { return withLC(table(name, id), lc) }
	mv := func(name string, lc infra.LifeCycle) *infra.MaterializedView {
		return &infra.MaterializedView{Name: name, SelectSQL: "SELECT * FROM src", TargetTable: "tgt", LifeCycle: lc}
	}
	withMV := func(m *infra.Map, v *infra.MaterializedView) *infra.Map { m.MaterializedViews[v.Name] = v; return m }
	ttl := "ts + INTERVAL 7 DAY"
	const (
		FM = infra.FullyManaged
		DP = infra.DeletionProtected
		EM = infra.ExternallyManaged
	)
	drop := func(name string) infra.Operation { return infra.DropTable{Table: name} }
	create := func(t *infra.Table) infra.Operation { return infra.CreateTable{Table: t} }
	for _, tc := range []struct {
		name             string
		current, desired *infra.Map
		ops              []infra.Operation
		want             []string // "Kind:table:LIFECYCLE"
	}{
		{"allows fully managed table drop", mapOf(tbl("t", FM)), mapOf(), []infra.Operation{drop("t")}, nil},
		{"blocks deletion protected table drop", mapOf(tbl("protected_table", DP)), mapOf(), []infra.Operation{drop("protected_table")},
			[]string{"TableDrop:protected_table:DELETION_PROTECTED"}},
		{"blocks externally managed table drop", mapOf(tbl("external_table", EM)), mapOf(), []infra.Operation{drop("external_table")},
			[]string{"TableDrop:external_table:EXTERNALLY_MANAGED"}},
		{"allows column removal from fully managed", mapOf(tbl("t", FM)), mapOf(tbl("t", FM)),
			[]infra.Operation{infra.DropTableColumn{Table: "t", ColumnName: "old_column"}}, nil},
		{"blocks column removal from deletion protected", mapOf(tbl("p", DP)), mapOf(tbl("p", DP)),
			[]infra.Operation{infra.DropTableColumn{Table: "p", ColumnName: "sensitive_column"}}, []string{"ColumnRemoval:p:DELETION_PROTECTED"}},
		{"allows column addition to deletion protected", mapOf(tbl("p", DP)), mapOf(tbl("p", DP)),
			[]infra.Operation{infra.AddTableColumn{Table: "p", Column: col("new_column", infra.String)}}, nil},
		{"collects multiple violations", mapOf(tbl("protected_table1", DP), tbl("external_table", EM)), mapOf(),
			[]infra.Operation{drop("protected_table1"), drop("external_table")},
			[]string{"TableDrop:protected_table1:DELETION_PROTECTED", "TableDrop:external_table:EXTERNALLY_MANAGED"}},
		{"allows table addition", mapOf(), mapOf(tbl("new_table", FM)), []infra.Operation{create(tbl("new_table", FM))}, nil},
		{"blocks transition to deletion protected", mapOf(tbl("x", FM)), mapOf(tbl("x", DP)),
			[]infra.Operation{drop("x"), create(tbl("x", DP))}, []string{"TableDrop:x:DELETION_PROTECTED"}},
		{"blocks transition to externally managed", mapOf(tbl("x", FM)), mapOf(tbl("x", EM)),
			[]infra.Operation{drop("x"), create(tbl("x", EM))}, []string{"TableDrop:x:EXTERNALLY_MANAGED"}},
		{"allows fully managed drop create", mapOf(tbl("x", FM)), mapOf(tbl("x", FM)), []infra.Operation{drop("x"), create(tbl("x", FM))}, nil},
		{"allows removal of protection", mapOf(tbl("x", DP)), mapOf(tbl("x", FM)), []infra.Operation{drop("x"), create(tbl("x", FM))}, nil},
		{"allows removal of externally managed", mapOf(tbl("x", EM)), mapOf(tbl("x", FM)), []infra.Operation{drop("x"), create(tbl("x", FM))}, nil},
		{"allows ttl change", mapOf(tbl("t", DP)), mapOf(tbl("t", DP)), []infra.Operation{infra.ModifyTableTtl{Table: "t", After: &ttl}}, nil},
		{"allows settings change", mapOf(tbl("t", DP)), mapOf(tbl("t", DP)),
			[]infra.Operation{infra.ModifyTableSettings{Table: "t", AfterSettings: map[string]string{"index_granularity": "8192"}}}, nil},
		{"empty changes", mapOf(), mapOf(), nil, nil},
		{"blocks column removal from externally managed", mapOf(tbl("e", EM)), mapOf(tbl("e", EM)),
			[]infra.Operation{infra.DropTableColumn{Table: "e", ColumnName: "some_column"}}, []string{"ColumnRemoval:e:EXTERNALLY_MANAGED"}},
		{"blocks column addition to externally managed", mapOf(tbl("e", EM)), mapOf(tbl("e", EM)),
			[]infra.Operation{infra.AddTableColumn{Table: "e", Column: col("new_column", infra.String)}}, []string{"ColumnAddition:e:EXTERNALLY_MANAGED"}},
		{"blocks column modification on externally managed", mapOf(tbl("e", EM)), mapOf(tbl("e", EM)),
			[]infra.Operation{infra.ModifyTableColumn{Table: "e", BeforeColumn: col("c", infra.String), AfterColumn: col("c", infra.String)}},
			[]string{"ColumnModification:e:EXTERNALLY_MANAGED"}},
		{"blocks ttl change on externally managed", mapOf(tbl("e", EM)), mapOf(tbl("e", EM)),
			[]infra.Operation{infra.ModifyTableTtl{Table: "e", After: &ttl}}, []string{"TableModification:e:EXTERNALLY_MANAGED"}},
		{"blocks settings change on externally managed", mapOf(tbl("e", EM)), mapOf(tbl("e", EM)),
			[]infra.Operation{infra.ModifyTableSettings{Table: "e", AfterSettings: map[string]string{"index_granularity": "8192"}}},
			[]string{"TableModification:e:EXTERNALLY_MANAGED"}},
		// §4.4's materialized view violations
		{"blocks deletion protected materialized view drop", withMV(mapOf(), mv("m", DP)), mapOf(),
			[]infra.Operation{infra.DropMaterializedView{Name: "m"}}, []string{"MaterializedViewDrop:m:DELETION_PROTECTED"}},
		{"allows fully managed materialized view drop", withMV(mapOf(), mv("m", FM)), mapOf(), []infra.Operation{infra.DropMaterializedView{Name: "m"}}, nil},
		{"blocks externally managed materialized view create", mapOf(), withMV(mapOf(), mv("m", EM)),
			[]infra.Operation{infra.CreateMaterializedView{Name: "m", TargetTable: "tgt", SelectSQL: "SELECT 1"}}, []string{"MaterializedViewCreate:m:EXTERNALLY_MANAGED"}},
		// a recreate that keeps the rows works on a temporary table named after the real one
		{"blocks the keep-data recreate's drop of a protected table", mapOf(tbl("p", DP)), mapOf(tbl("p", DP)),
			[]infra.Operation{drop("p" + RecreateSuffix)}, []string{"TableDrop:p:DELETION_PROTECTED"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckLifecycle(tc.ops, tc.current, tc.desired)
			var got []string
			if err != nil {
				vs, ok := err.(LifecycleViolations)
				if !ok {
					t.Fatalf("error of type %T: %v", err, err)
				}
				for _, v := range vs {
					got = append(got, v.Kind+":"+v.Table+":"+string(v.LifeCycle))
				}
			}
			if !equalStrings(got, tc.want) {
				t.Fatalf("violations %q, want %q", got, tc.want)
			}
		})
	}
}

// Two tables of one name in two databases keep their own lifecycles: a
// hand-written drop of the protected one is refused and one of the other is
// allowed, whatever order the maps are walked in (issue 11, item 12: by bare
// name the answer depended on map order).
func TestCheckLifecycleTellsTablesOfOneNameApartByDatabase(t *testing.T) {
	id := col("id", infra.String)
	analytics, local := "analytics", "local"
	build := func() *infra.Map {
		protected := withLC(table("events", id), infra.DeletionProtected)
		protected.Database = &analytics
		managed := table("events", id)
		m := mapOf()
		for _, tb := range []*infra.Table{protected, managed} {
			m.AddTable(tb)
		}
		return m
	}
	dropProtected := infra.DropTable{Table: "events", Database: &analytics}
	for i := 0; i < 200; i++ {
		current, desired := build(), build()
		var dropManaged infra.Operation = infra.DropTable{Table: "events"}
		if i%2 == 1 {
			dropManaged = infra.DropTable{Table: "events", Database: &local}
		}
		err := CheckLifecycle([]infra.Operation{dropProtected}, current, desired)
		vs, ok := err.(LifecycleViolations)
		if !ok || len(vs) != 1 || vs[0].Key != "analytics.events" || vs[0].LifeCycle != infra.DeletionProtected {
			t.Fatalf("run %d: the drop of the DELETION_PROTECTED analytics.events: %v; want it refused", i, err)
		}
		if !strings.Contains(err.Error(), "analytics.events is DELETION_PROTECTED") {
			t.Fatalf("run %d: the refusal does not name the table with its database: %v", i, err)
		}
		if err := CheckLifecycle([]infra.Operation{dropManaged}, current, desired); err != nil {
			t.Fatalf("run %d: the drop of the FULLY_MANAGED local.events: %v; want it allowed", i, err)
		}
		if err := CheckLifecycle([]infra.Operation{infra.DropTableColumn{Table: "events", Database: &analytics, ColumnName: "id"}}, current, desired); err == nil {
			t.Fatalf("run %d: a column drop of analytics.events was allowed", i)
		}
	}
}
