package differ

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/moose-dev/moose-dev/infra"
)

func ptr[T any](v T) *T { return &v }

func table(name string, cols ...infra.Column) *infra.Table {
	return &infra.Table{Name: name, Columns: cols, Engine: infra.MergeTree, OrderBy: infra.OrderBy{Fields: []string{cols[0].Name}},
		LifeCycle: infra.FullyManaged}
}

func col(name string, t infra.ColumnType) infra.Column {
	return infra.Column{Name: name, DataType: t, Required: true}
}

func mapOf(tables ...*infra.Table) *infra.Map {
	m := infra.NewMap("local")
	for _, t := range tables {
		m.AddTable(t)
	}
	return m
}

// opNames summarizes operations as "Name:table[:column]" for comparison.
func opNames(ops []infra.Operation) []string {
	var out []string
	for _, op := range ops {
		switch o := op.(type) {
		case infra.CreateTable:
			out = append(out, "CreateTable:"+o.Table.Name)
		case infra.DropTable:
			out = append(out, "DropTable:"+o.Table)
		case infra.AddTableColumn:
			after := "FIRST"
			if o.AfterColumn != nil {
				after = *o.AfterColumn
			}
			out = append(out, "AddTableColumn:"+o.Table+":"+o.Column.Name+":after="+after)
		case infra.DropTableColumn:
			out = append(out, "DropTableColumn:"+o.Table+":"+o.ColumnName)
		case infra.ModifyTableColumn:
			out = append(out, "ModifyTableColumn:"+o.Table+":"+o.AfterColumn.Name+":"+o.AfterColumn.DataType.String())
		}
	}
	return out
}

func TestDiffAndPlan(t *testing.T) {
	id, name, age := col("id", infra.String), col("name", infra.String), col("age", infra.Int64)
	for _, tc := range []struct {
		name             string
		current, desired *infra.Map
		want             []string
	}{
		{"no change gives an empty plan", mapOf(table("A", id, name)), mapOf(table("A", id, name)), nil},
		{"a new table is created", mapOf(), mapOf(table("A", id)), []string{"CreateTable:A"}},
		{"a removed table is dropped", mapOf(table("A", id)), mapOf(), []string{"DropTable:A"}},
		{"an added column goes after its predecessor in the code", mapOf(table("A", id, name)), mapOf(table("A", id, age, name)),
			[]string{"AddTableColumn:A:age:after=id"}},
		{"a removed column is dropped", mapOf(table("A", id, name)), mapOf(table("A", id)), []string{"DropTableColumn:A:name"}},
		{"a type change modifies the column", mapOf(table("A", id, age)), mapOf(table("A", id, col("age", infra.Int32))),
			[]string{"ModifyTableColumn:A:age:Int32"}},
		{"optional to required is a modification", mapOf(table("A", id, infra.Column{Name: "n", DataType: infra.String})),
			mapOf(table("A", id, col("n", infra.String))), []string{"ModifyTableColumn:A:n:String"}},
		{"teardown comes before setup across tables",
			mapOf(table("A", id, name), table("B", id)), mapOf(table("A", id, age), table("C", id)),
			[]string{"DropTableColumn:A:name", "DropTable:B", "AddTableColumn:A:age:after=id", "CreateTable:C"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := opNames(Plan(Diff(tc.current, tc.desired)))
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Fatalf("plan (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAColumnAddedFirstHasNoPredecessor(t *testing.T) {
	a := table("A", col("id", infra.String), col("name", infra.String))
	b := table("A", col("id", infra.String), col("name", infra.String))
	b.Columns = append([]infra.Column{col("first", infra.Int8)}, b.Columns...)
	got := opNames(Plan(Diff(mapOf(a), mapOf(b))))
	if diff := cmp.Diff([]string{"AddTableColumn:A:first:after=FIRST"}, got); diff != "" {
		t.Fatal(diff)
	}
}

func TestOrderByChangeRecreatesTheTable(t *testing.T) {
	a := table("A", col("id", infra.String), col("ts", infra.DateTime))
	b := table("A", col("id", infra.String), col("ts", infra.DateTime))
	b.OrderBy = infra.OrderBy{Fields: []string{"id", "ts"}}
	changes := Diff(mapOf(a), mapOf(b))
	if len(changes) != 1 {
		t.Fatalf("want one change, got %v", changes)
	}
	rc, ok := changes[0].(RecreateTable)
	if !ok || rc.Reason == "" {
		t.Fatalf("want a RecreateTable with a reason, got %#v", changes[0])
	}
	if diff := cmp.Diff([]string{"DropTable:A", "CreateTable:A"}, opNames(Plan(changes))); diff != "" {
		t.Fatal(diff)
	}
}

func TestOrderByWrittenDifferentlyIsNoChange(t *testing.T) {
	a := table("A", col("id", infra.String))
	b := table("A", col("id", infra.String))
	a.OrderBy = infra.OrderBy{Expr: "(id)", IsExpr: true}
	if changes := Diff(mapOf(a), mapOf(b)); len(changes) != 0 {
		t.Fatalf("(id) and [id] are the same ORDER BY, got %v", changes)
	}
}

func TestEnumMemberOrderIsNoChange(t *testing.T) {
	one, two := int64(1), int64(2)
	e1 := infra.Enum{Name: "S", Values: []infra.EnumMember{{Name: "a", Value: infra.EnumValue{Int: &one}}, {Name: "b", Value: infra.EnumValue{Int: &two}}}}
	e2 := infra.Enum{Name: "S", Values: []infra.EnumMember{e1.Values[1], e1.Values[0]}}
	if changes := Diff(mapOf(table("A", col("id", infra.String), col("s", e1))), mapOf(table("A", col("id", infra.String), col("s", e2)))); len(changes) != 0 {
		t.Fatalf("enum order must not matter, got %v", changes)
	}
}

func TestTopics(t *testing.T) {
	topic := func(name string, parts int) *infra.Topic {
		return &infra.Topic{Name: name, PartitionCount: parts, RetentionPeriod: infra.Duration{Secs: 604800}}
	}
	cur, des := infra.NewMap("local"), infra.NewMap("local")
	cur.AddTopic(topic("Gone", 1))
	cur.AddTopic(topic("Grow", 1))
	des.AddTopic(topic("Grow", 4))
	des.AddTopic(topic("New", 1))
	got := Diff(cur, des)
	want := []Change{DropTopic{cur.Topics["Gone"]}, UpdateTopic{cur.Topics["Grow"], des.Topics["Grow"]}, AddTopic{des.Topics["New"]}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatal(diff)
	}
}

func TestReconcile(t *testing.T) {
	id, name := col("id", infra.String), col("name", infra.String)
	desired := mapOf(table("Kept", id, name), table("Lost", id), table("Adopt", id, name))
	state := mapOf(table("Kept", id, name), table("Lost", id))
	state.Tables["local_Kept"].Columns[0].PrimaryKey = true
	live := map[string]*infra.Table{
		"local.Kept":    {Name: "Kept", Columns: []infra.Column{id}}, // name dropped by hand
		"local.Adopt":   {Name: "Adopt", Columns: []infra.Column{id, name}},
		"local.Foreign": {Name: "Foreign", Columns: []infra.Column{id}},
	}
	got := Reconcile(state, desired, live)
	if _, ok := got.Tables["local_Lost"]; ok {
		t.Error("a table dropped by hand must leave the state so it is recreated")
	}
	if _, ok := got.Tables["local_Foreign"]; ok {
		t.Error("a table nobody declared must never be adopted")
	}
	if _, ok := got.Tables["local_Adopt"]; !ok {
		t.Error("a live table the code declares must be adopted")
	}
	kept := got.Tables["local_Kept"]
	if len(kept.Columns) != 1 || !kept.Columns[0].PrimaryKey {
		t.Errorf("Kept must take reality's columns and keep primary_key: %+v", kept.Columns)
	}
	if state.Tables["local_Kept"].Columns[1].Name != "name" {
		t.Error("Reconcile must not modify its input")
	}
	plan := opNames(Plan(Diff(got, desired)))
	if diff := cmp.Diff([]string{"AddTableColumn:Kept:name:after=id", "CreateTable:Lost"}, plan); diff != "" {
		t.Fatalf("after reconciling, the plan repairs reality (-want +got):\n%s", diff)
	}
}

func TestViewsComeDownBeforeTablesAndUpAfterThem(t *testing.T) {
	id := col("id", infra.String)
	cur, des := mapOf(table("Old", id)), mapOf(table("Src", id), table("Tgt", id))
	cur.MaterializedViews["OldMV"] = &infra.MaterializedView{Name: "OldMV", SelectSQL: "SELECT * FROM Old", TargetTable: "Old"}
	des.MaterializedViews["MV"] = &infra.MaterializedView{Name: "MV", SelectSQL: "SELECT * FROM Src", TargetTable: "Tgt"}
	des.Views["V"] = &infra.View{Name: "V", SelectSQL: "SELECT 1"}
	var got []string
	for _, op := range Plan(Diff(cur, des)) {
		got = append(got, op.OpName())
	}
	want := []string{"DropMaterializedView", "DropTable", "CreateTable", "CreateTable", "CreateMaterializedView", "CreateView"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatal(diff)
	}
}

func TestReformattedViewSQLIsNoChange(t *testing.T) {
	cur, des := infra.NewMap("local"), infra.NewMap("local")
	cur.MaterializedViews["MV"] = &infra.MaterializedView{Name: "MV", SelectSQL: "SELECT a,\n  b FROM `t`", TargetTable: "T"}
	des.MaterializedViews["MV"] = &infra.MaterializedView{Name: "MV", SelectSQL: "SELECT a, b   FROM t", TargetTable: "T"}
	if c := Diff(cur, des); len(c) != 0 {
		t.Fatalf("got %v", c)
	}
	des.MaterializedViews["MV"] = &infra.MaterializedView{Name: "MV", SelectSQL: "SELECT a FROM t", TargetTable: "T"}
	if c := Diff(cur, des); len(c) != 1 {
		t.Fatalf("a changed SELECT must recreate the view, got %v", c)
	}
}

func TestTableLevelChangesAreAlters(t *testing.T) {
	base := func() *infra.Table {
		tb := table("T", col("id", infra.String), col("ts", infra.DateTime))
		tb.TableSettings = map[string]string{"index_granularity": "8192"}
		return tb
	}
	ttl, sample := "ts + INTERVAL 1 DAY", "cityHash64(id)"
	for _, tc := range []struct {
		name string
		edit func(*infra.Table)
		want []string
	}{
		{"a new alterable setting", func(t *infra.Table) { t.TableSettings["merge_with_ttl_timeout"] = "60" }, []string{"ModifyTableSettings"}},
		{"a readonly setting recreates", func(t *infra.Table) { t.TableSettings["index_granularity"] = "1024" }, []string{"DropTable", "CreateTable"}},
		{"a readonly setting written at its default is no change", func(t *infra.Table) { t.TableSettings["index_granularity_bytes"] = "10485760" }, nil},
		{"a TTL", func(t *infra.Table) { t.TTL = &ttl }, []string{"ModifyTableTtl"}},
		{"SAMPLE BY", func(t *infra.Table) { t.SampleBy = &sample }, []string{"ModifySampleBy"}},
		{"an index", func(t *infra.Table) {
			t.Indexes = []infra.TableIndex{{Name: "i", Expression: "ts", Type: "minmax", Granularity: 1}}
		}, []string{"AddTableIndex"}},
		{"a projection", func(t *infra.Table) {
			t.Projections = []infra.TableProjection{{Name: "p", Body: "SELECT * ORDER BY ts"}}
		}, []string{"AddTableProjection"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			after := base()
			tc.edit(after)
			var got []string
			for _, op := range Plan(Diff(mapOf(base()), mapOf(after))) {
				got = append(got, op.OpName())
			}
			if !equalStrings(got, tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
	// a changed index is dropped first and added again
	b, a := base(), base()
	b.Indexes = []infra.TableIndex{{Name: "i", Expression: "ts", Type: "minmax", Granularity: 1}}
	a.Indexes = []infra.TableIndex{{Name: "i", Expression: "ts", Type: "minmax", Granularity: 4}}
	var got []string
	for _, op := range Plan(Diff(mapOf(b), mapOf(a))) {
		got = append(got, op.OpName())
	}
	if !equalStrings(got, []string{"DropTableIndex", "AddTableIndex"}) {
		t.Fatalf("got %v", got)
	}
}

func TestBackfillFollowsTheNewView(t *testing.T) {
	des := mapOf(table("Src", col("id", infra.String)), table("Tgt", col("id", infra.String)))
	des.MaterializedViews["MV"] = &infra.MaterializedView{Name: "MV", SelectSQL: "SELECT id FROM Src", TargetTable: "Tgt", SourceTables: []string{"`Src`"}}
	changes := Diff(infra.NewMap("local"), des)
	yes := func(*infra.MaterializedView) bool { return true }
	ops := PlanWith(changes, PlanOptions{Backfill: yes})
	last := ops[len(ops)-1].(infra.RawSQL)
	if ops[len(ops)-2].OpName() != "CreateMaterializedView" || len(last.SQL) != 2 ||
		last.SQL[0] != "TRUNCATE TABLE `Tgt`" || last.SQL[1] != "INSERT INTO `Tgt` SELECT id FROM Src" {
		t.Fatalf("ops: %#v", ops)
	}
	if ops := PlanWith(changes, PlanOptions{Backfill: func(*infra.MaterializedView) bool { return false }}); ops[len(ops)-1].OpName() != "CreateMaterializedView" {
		t.Fatal("a view whose source cannot be read back is not backfilled")
	}
	if ops := Plan(changes); ops[len(ops)-1].OpName() != "CreateMaterializedView" {
		t.Fatal("plans (production) never backfill")
	}
}

func TestViewsFollowWhatTheyRead(t *testing.T) {
	des := mapOf(table("T", col("id", infra.String)))
	// V2 reads V1 reads T; names sort the other way round on purpose
	des.Views["A_V2"] = &infra.View{Name: "A_V2", SelectSQL: "SELECT * FROM Z_V1", SourceTables: []string{"`Z_V1`"}}
	des.Views["Z_V1"] = &infra.View{Name: "Z_V1", SelectSQL: "SELECT * FROM T", SourceTables: []string{"`T`"}}
	var got []string
	for _, op := range Plan(Diff(infra.NewMap("local"), des)) {
		if v, ok := op.(infra.CreateView); ok {
			got = append(got, v.Name)
		}
	}
	if !equalStrings(got, []string{"Z_V1", "A_V2"}) {
		t.Fatalf("create order %v", got)
	}
	got = nil
	for _, op := range Plan(Diff(des, infra.NewMap("local"))) {
		if v, ok := op.(infra.DropView); ok {
			got = append(got, v.Name)
		}
	}
	if !equalStrings(got, []string{"A_V2", "Z_V1"}) {
		t.Fatalf("drop order %v", got)
	}
	des.Views["Z_V1"].SourceTables = []string{"`A_V2`"}
	if c := FindViewCycle(des); len(c) != 3 {
		t.Fatalf("cycle = %v", c)
	}
}

func TestStrategyRules(t *testing.T) {
	id, name := col("id", infra.String), col("name", infra.String)
	keyed := func(pk string) *infra.Table {
		t := table("T", id, name)
		t.PrimaryKeyExpression = &pk
		return t
	}
	if c := Diff(mapOf(keyed("id")), mapOf(keyed("(id)"))); len(c) != 0 {
		t.Fatalf("(id) and id are one primary key: %v", c)
	}
	if c := Diff(mapOf(keyed("id")), mapOf(keyed("id, name"))); len(c) != 1 || !isRecreate(c[0]) {
		t.Fatalf("a primary key change recreates: %v", c)
	}
	kafka := func(cols ...infra.Column) *infra.Table {
		t := &infra.Table{Name: "K", Columns: cols, Engine: infra.Engine{Name: "Kafka", Params: map[string]any{}}}
		return t
	}
	if c := Diff(mapOf(kafka(id)), mapOf(kafka(id, name))); len(c) != 1 || !isRecreate(c[0]) {
		t.Fatalf("a Kafka table's columns change by recreate: %v", c)
	}
	other := "other"
	moved := table("T", id)
	moved.Database = &other
	c := Diff(mapOf(table("T", id)), mapOf(moved))
	if len(c) != 1 {
		t.Fatalf("a moved table is one invalid change, not a drop and a create: %v", c)
	}
	if inv, ok := c[0].(InvalidChange); !ok {
		t.Fatalf("got %#v", c[0])
	} else if !strings.Contains(inv.Reason, "from database local to other") || !strings.Contains(inv.Reason, "INSERT INTO other.T SELECT * FROM local.T") {
		t.Fatalf("the reason must say where from, where to, and how to copy the rows: %s", inv.Reason)
	}
	ttlA, ttlB := "ts +  INTERVAL 1 DAY", "ts + INTERVAL 1 DAY"
	a, b := col("x", infra.String), col("x", infra.String)
	a.TTL, b.TTL = &ttlA, &ttlB
	if !ColumnsEquivalent(a, b) {
		t.Fatal("TTL whitespace is no change")
	}
	j1 := infra.JSONOptions{TypedPaths: []infra.TupleField{{Name: "a", Type: infra.String}, {Name: "b", Type: infra.Int64}}}
	j2 := infra.JSONOptions{TypedPaths: []infra.TupleField{{Name: "b", Type: infra.Int64}, {Name: "a", Type: infra.String}}}
	if !ColumnsEquivalent(col("j", j1), col("j", j2)) {
		t.Fatal("JSON typed paths compare as a set")
	}
}

func isRecreate(c Change) bool { _, ok := c.(RecreateTable); return ok }

func TestCodecsEquivalent(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"ZSTD", "ZSTD(1)", true}, {"Delta, ZSTD", "Delta(8), ZSTD(1)", true}, {"ZSTD(3)", "ZSTD(1)", false},
		{"Delta, ZSTD", "ZSTD", false}, {"", "", true}, {"", "ZSTD", false}, {"lz4", "LZ4", true},
	} {
		if got := CodecsEquivalent(tc.a, tc.b); got != tc.want {
			t.Errorf("CodecsEquivalent(%q, %q) = %v", tc.a, tc.b, got)
		}
	}
}

// Upstream's diff_strategy cases (clickhouse/diff_strategy.rs tests), by
// name: which table changes recreate and which ALTER.
func TestUpstreamStrategyCases(t *testing.T) {
	base := func(orderBy ...string) *infra.Table {
		tb := table("test", col("id", infra.String), col("timestamp", infra.String))
		tb.OrderBy = infra.OrderBy{Fields: orderBy}
		return tb
	}
	type kind int
	const (
		none kind = iota
		alter
		recreate
	)
	for _, tc := range []struct {
		name          string
		before, after func() *infra.Table
		want          kind
	}{
		{"order_by_change_requires_drop_create", func() *infra.Table { return base("id") }, func() *infra.Table { return base("id", "timestamp") }, recreate},
		{"deduplication_change_requires_drop_create", func() *infra.Table { return base("id") }, func() *infra.Table {
			tb := base("id")
			tb.Engine = infra.Engine{Name: "ReplacingMergeTree", Params: map[string]any{}}
			return tb
		}, recreate},
		{"column_only_changes_use_alter", func() *infra.Table { return base("id") }, func() *infra.Table {
			tb := base("id")
			tb.Columns = append(tb.Columns, infra.Column{Name: "new_col", DataType: infra.String})
			return tb
		}, alter},
		{"no_changes_returns_empty_vector", func() *infra.Table { return base("id", "timestamp") }, func() *infra.Table { return base("id", "timestamp") }, none},
		{"order_by_change_with_no_column_changes_requires_drop_create", func() *infra.Table { return base("id") }, func() *infra.Table { return base("timestamp") }, recreate},
		{"projection_only_change_uses_updated", func() *infra.Table { return base("id") }, func() *infra.Table {
			tb := base("id")
			tb.Projections = []infra.TableProjection{{Name: "proj_by_ts", Body: "SELECT _part_offset ORDER BY timestamp"}}
			return tb
		}, alter},
		{"sample_by_change (added) is an ALTER", func() *infra.Table { return base("id") }, func() *infra.Table {
			tb := base("id")
			tb.SampleBy = ptr("id")
			return tb
		}, alter},
		{"sample_by_modification is an ALTER", func() *infra.Table {
			tb := base("id")
			tb.SampleBy = ptr("id")
			return tb
		}, func() *infra.Table {
			tb := base("id")
			tb.SampleBy = ptr("timestamp")
			return tb
		}, alter},
		{"partition_by_change_requires_drop_create", func() *infra.Table { return base("id") }, func() *infra.Table {
			tb := base("id")
			tb.PartitionBy = ptr("toYYYYMM(timestamp)")
			return tb
		}, recreate},
		{"partition_by_modification_requires_drop_create", func() *infra.Table {
			tb := base("id")
			tb.PartitionBy = ptr("toYYYYMM(timestamp)")
			return tb
		}, func() *infra.Table {
			tb := base("id")
			tb.PartitionBy = ptr("toYYYYMMDD(timestamp)")
			return tb
		}, recreate},
		{"cluster_name change is no operation", func() *infra.Table { return base("id") }, func() *infra.Table {
			tb := base("id")
			tb.ClusterName = ptr("c1")
			return tb
		}, none},
	} {
		changes := Diff(mapOf(tc.before()), mapOf(tc.after()))
		got := none
		switch {
		case len(changes) == 1 && isRecreate(changes[0]):
			got = recreate
		case len(changes) == 1:
			if _, ok := changes[0].(UpdateTable); ok {
				got = alter
			} else {
				t.Errorf("%s: unexpected change %#v", tc.name, changes[0])
				continue
			}
		case len(changes) > 1:
			t.Errorf("%s: %d changes, want at most one: %v", tc.name, len(changes), changes)
			continue
		}
		if got != tc.want {
			t.Errorf("%s: got %v, want %v (changes %v)", tc.name, got, tc.want, changes)
		}
	}
}

// Upstream's primary key cases: column flags and primary_key_expression
// name the same key when they list the same columns in the same order.
func TestUpstreamPrimaryKeyCases(t *testing.T) {
	mk := func(flags []bool, expr string) *infra.Table {
		tb := table("test", col("id", infra.String), col("timestamp", infra.String))
		tb.Columns[0].PrimaryKey, tb.Columns[1].PrimaryKey = flags[0], flags[1]
		if expr != "" {
			tb.PrimaryKeyExpression = ptr(expr)
		}
		tb.OrderBy = infra.OrderBy{Fields: []string{"id", "timestamp"}}
		return tb
	}
	for _, tc := range []struct {
		name          string
		before, after *infra.Table
		recreate      bool
	}{
		{"primary_key_change_requires_drop_create", mk([]bool{true, false}, ""), mk([]bool{false, true}, ""), true},
		{"primary_key_expression_equivalent_to_column_flags", mk([]bool{true, true}, ""), mk([]bool{false, false}, "(id, timestamp)"), false},
		{"primary_key_expression_single_column", mk([]bool{true, false}, ""), mk([]bool{false, false}, "id"), false},
		{"primary_key_expression_with_extra_spaces", mk([]bool{false, false}, "(id,timestamp)"), mk([]bool{false, false}, "( id , timestamp )"), false},
		{"primary_key_expression_different_order_requires_drop_create", mk([]bool{true, true}, ""), mk([]bool{false, false}, "(timestamp, id)"), true},
		{"primary_key_expression_with_function", mk([]bool{true, false}, ""), mk([]bool{false, false}, "(id, cityHash64(timestamp))"), true},
		{"primary_key_expression_single_column_with_parens", mk([]bool{true, false}, ""), mk([]bool{false, false}, "(id)"), false},
		{"primary_key_expression_function_with_parens", mk([]bool{false, false}, "(cityHash64(id))"), mk([]bool{false, false}, "cityHash64(id)"), false},
		{"primary_key_multi_column_keeps_parens", mk([]bool{true, true}, ""), mk([]bool{false, false}, "(id,timestamp)"), false},
		{"primary_key_nested_function_parens", mk([]bool{false, false}, "(cityHash64(id, timestamp))"), mk([]bool{false, false}, "cityHash64(id, timestamp)"), false},
	} {
		changes := Diff(mapOf(tc.before), mapOf(tc.after))
		got := len(changes) == 1 && isRecreate(changes[0])
		if got != tc.recreate || !tc.recreate && len(changes) != 0 {
			t.Errorf("%s: changes %v, want recreate=%v", tc.name, changes, tc.recreate)
		}
	}
}

// Upstream's Kafka cases: the Kafka engine takes no ALTER, so settings and
// column changes recreate it.
func TestUpstreamKafkaCases(t *testing.T) {
	kafka := func(settings map[string]string, cols ...infra.Column) *infra.Table {
		tb := table("test", cols...)
		tb.Engine = infra.Engine{Name: "Kafka", Params: map[string]any{"broker_list": "kafka:9092", "topic_list": "events", "group_name": "consumer", "format": "JSONEachRow"}}
		tb.OrderBy = infra.OrderBy{}
		tb.TableSettings = settings
		return tb
	}
	id := col("id", infra.String)
	for _, tc := range []struct {
		name          string
		before, after *infra.Table
	}{
		{"settings_change_detected (password)", kafka(map[string]string{"kafka_sasl_password": "old", "kafka_num_consumers": "2"}, id),
			kafka(map[string]string{"kafka_sasl_password": "new", "kafka_num_consumers": "2"}, id)},
		{"kafka_settings_change_requires_drop_create", kafka(map[string]string{"kafka_num_consumers": "1"}, id), kafka(map[string]string{"kafka_num_consumers": "3"}, id)},
		{"kafka_column_change_requires_drop_create", kafka(nil, id, col("timestamp", infra.Float64)), kafka(nil, id, col("timestamp", infra.DateTime))},
	} {
		tc.before.FillHashes()
		tc.after.FillHashes()
		changes := Diff(mapOf(tc.before), mapOf(tc.after))
		if len(changes) != 1 || !isRecreate(changes[0]) {
			t.Errorf("%s: changes %v, want one recreate", tc.name, changes)
		}
	}
}

func TestTTLsCompareAsClickHouseStoresThem(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		same bool
	}{
		{"ts + INTERVAL 30 DAY", "ts + toIntervalDay(30)", true},
		{"ts + interval 1 hour", "ts + toIntervalHour(1)", true},
		{"ts + INTERVAL 2 MONTHS", "ts + toIntervalMonth(2)", true},
		{"ts + INTERVAL '7' DAY DELETE", "ts + toIntervalDay(7) DELETE", true},
		{"ts + INTERVAL 30 DAY", "ts + toIntervalDay(31)", false},
		{"ts + INTERVAL 1 DAY", "ts + INTERVAL 1 WEEK", false},
		{"(ts + INTERVAL 1 DAY)", "ts + toIntervalDay(1)", true},
	} {
		if got := NormalizeTTL(tc.a) == NormalizeTTL(tc.b); got != tc.same {
			t.Errorf("%q vs %q: same = %v", tc.a, tc.b, got)
		}
	}
	id, ts := col("id", infra.String), col("ts", infra.DateTime)
	withTTL := func(ttl string) *infra.Table { t := table("T", id, ts); t.TTL = &ttl; return t }
	if ch := Diff(mapOf(withTTL("ts + toIntervalDay(30)")), mapOf(withTTL("ts + INTERVAL 30 DAY"))); len(ch) != 0 {
		t.Fatalf("a TTL read back in ClickHouse's spelling is a change: %v", ch)
	}
	colTTL := "ts + INTERVAL 1 DAY"
	a, b := col("v", infra.String), col("v", infra.String)
	a.TTL, b.TTL = &colTTL, ptr("ts + toIntervalDay(1)")
	if !ColumnsEquivalent(a, b) {
		t.Fatal("a column TTL in ClickHouse's spelling differs")
	}
}

// An older state without ORDER BY (upstream then derived it from the key
// columns) is the same table as one that records it, once read as every
// state is (infra.UnmarshalMap canonicalizes tables).
func TestAnEmptyOrderByFallsBackToTheKeyColumns(t *testing.T) {
	id := infra.Column{Name: "id", DataType: infra.String, Required: true, PrimaryKey: true}
	n := col("n", infra.Int64)
	raw, err := json.Marshal(mapOf(&infra.Table{Name: "A", Columns: []infra.Column{id, n}, Engine: infra.MergeTree}))
	if err != nil {
		t.Fatal(err)
	}
	stored, err := infra.UnmarshalMap(raw)
	if err != nil {
		t.Fatal(err)
	}
	old := stored.Tables["local_A"]
	now := &infra.Table{Name: "A", Columns: []infra.Column{id, n}, Engine: infra.MergeTree, OrderBy: infra.OrderBy{Fields: []string{"id"}}}
	if ch := Diff(mapOf(old), mapOf(now)); len(ch) != 0 {
		t.Fatalf("changes: %v", ch)
	}
	other := &infra.Table{Name: "A", Columns: []infra.Column{id, n}, Engine: infra.MergeTree, OrderBy: infra.OrderBy{Fields: []string{"id", "n"}}}
	if ch := Diff(mapOf(old), mapOf(other)); len(ch) != 1 {
		t.Fatalf("a real ORDER BY change: %v", ch)
	}
}

// Upstream's compute_table_columns_diff cases (infrastructure_map.rs
// diff_tests), as "Kind:column[:after]" in the order the diff gives them:
// target order for additions and modifications, then removals.
func TestUpstreamColumnDiffCases(t *testing.T) {
	c := func(name string, ty infra.ColumnType, mods ...func(*infra.Column)) infra.Column {
		col := infra.Column{Name: name, DataType: ty, Required: true}
		for _, m := range mods {
			m(&col)
		}
		return col
	}
	optional := func(c *infra.Column) { c.Required = false }
	unique := func(c *infra.Column) { c.Unique = true }
	key := func(c *infra.Column) { c.PrimaryKey = true }
	def := func(d string) func(*infra.Column) { return func(c *infra.Column) { c.Default = &d } }
	render := func(ccs []ColumnChange) []string {
		var out []string
		for _, cc := range ccs {
			switch cc.Kind {
			case ColumnAdded:
				after := "FIRST"
				if cc.AfterColumn != nil {
					after = *cc.AfterColumn
				}
				out = append(out, "Added:"+cc.After.Name+":"+after)
			case ColumnRemoved:
				out = append(out, "Removed:"+cc.Before.Name)
			case ColumnModified:
				out = append(out, "Updated:"+cc.After.Name)
			}
		}
		return out
	}
	many := func(n int, changeAt int) (before, after []infra.Column) {
		for i := range n {
			col := c(fmt.Sprintf("col_%d", i), infra.Int64)
			before = append(before, col)
			if i == changeAt {
				col.DataType = infra.Int128
			}
			after = append(after, col)
		}
		return before, after
	}
	bigBefore, bigAfter := many(1000, 500)
	types := []infra.ColumnType{infra.Int64, infra.Int128, infra.Float64, infra.String, infra.Boolean, infra.DateTime, infra.UUID}
	changedTo := []infra.ColumnType{infra.Int64, infra.Int64, infra.Decimal{Precision: 10, Scale: 0}, infra.Int64, infra.Int64, infra.String, infra.String}
	var allBefore, allAfter []infra.Column
	for i, ty := range types {
		allBefore = append(allBefore, c(fmt.Sprintf("col_%d", i), ty))
		next := ty
		if i%2 == 1 {
			next = changedTo[i]
		}
		allAfter = append(allAfter, c(fmt.Sprintf("col_%d", i), next))
	}
	for _, tc := range []struct {
		name          string
		before, after []infra.Column
		want          []string
	}{
		{"compute table diff", []infra.Column{c("id", infra.Int64, unique, key), c("name", infra.String), c("to_be_removed", infra.String, optional)},
			[]infra.Column{c("id", infra.Int128, unique, key), c("name", infra.String), c("age", infra.Int64, optional)},
			[]string{"Updated:id", "Added:age:name", "Removed:to_be_removed"}},
		{"empty tables no changes", nil, nil, nil},
		{"column addition", nil, []infra.Column{c("new_column", infra.Int64)}, []string{"Added:new_column:FIRST"}},
		{"column removal", []infra.Column{c("to_remove", infra.Int64)}, nil, []string{"Removed:to_remove"}},
		{"column type change", []infra.Column{c("age", infra.Int64)}, []infra.Column{c("age", infra.Int128)}, []string{"Updated:age"}},
		{"multiple changes",
			[]infra.Column{c("id", infra.Int64, unique, key), c("to_remove", infra.String, optional), c("to_modify", infra.Int64, optional)},
			[]infra.Column{c("id", infra.Int64, unique, key), c("to_modify", infra.Int64, unique), c("new_column", infra.String, optional)},
			[]string{"Updated:to_modify", "Added:new_column:to_modify", "Removed:to_remove"}},
		{"column default value change", []infra.Column{c("count", infra.Int64, def("auto_increment"))}, []infra.Column{c("count", infra.Int64, def("now()"))},
			[]string{"Updated:count"}},
		{"no changes with reordered columns", []infra.Column{c("id", infra.Int64, key), c("name", infra.String)},
			[]infra.Column{c("name", infra.String), c("id", infra.Int64, key)}, nil},
		{"large table performance", bigBefore, bigAfter, []string{"Updated:col_500"}},
		{"all column types", allBefore, allAfter, []string{"Updated:col_1", "Updated:col_3", "Updated:col_5"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := render(diffColumns(tc.before, tc.after)); !equalStrings(got, tc.want) {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// Upstream's plan.rs reconcile_with_reality cases.
func TestUpstreamReconcileCases(t *testing.T) {
	id := infra.Column{Name: "id", DataType: infra.Int64, Required: true, Unique: true, PrimaryKey: true}
	extra := infra.Column{Name: "extra_column", DataType: infra.String}
	tbl := func(name string, cols ...infra.Column) *infra.Table { return table(name, cols...) }
	live := func(ts ...*infra.Table) map[string]*infra.Table {
		out := map[string]*infra.Table{}
		for _, t := range ts {
			out["local."+t.Name] = t
		}
		return out
	}
	t.Run("unmapped table", func(t *testing.T) {
		db := live(tbl("unmapped_table", id))
		if got := Reconcile(mapOf(), mapOf(), db); len(got.Tables) != 0 {
			t.Fatalf("a table no one declares was adopted: %v", got.TableIDs())
		}
		if got := Reconcile(mapOf(), mapOf(tbl("unmapped_table", id)), db); len(got.Tables) != 1 {
			t.Fatalf("a table the code declares was not adopted: %v", got.TableIDs())
		}
	})
	t.Run("missing table", func(t *testing.T) {
		if got := Reconcile(mapOf(tbl("missing_table", id)), mapOf(), live()); len(got.Tables) != 0 {
			t.Fatalf("a table gone from the database stayed: %v", got.TableIDs())
		}
	})
	t.Run("mismatched table", func(t *testing.T) {
		got := Reconcile(mapOf(tbl("mismatched_table", id)), mapOf(), live(tbl("mismatched_table", id, extra)))
		cols := got.Tables["local_mismatched_table"].Columns
		if len(cols) != 2 || cols[1].Name != "extra_column" {
			t.Fatalf("columns %+v, want id and extra_column", cols)
		}
		// and the diff against the code takes the hand-added column away
		if ops := opNames(Plan(Diff(got, mapOf(tbl("mismatched_table", id))))); !equalStrings(ops, []string{"DropTableColumn:mismatched_table:extra_column"}) {
			t.Fatalf("ops %v", ops)
		}
	})
	t.Run("no changes", func(t *testing.T) {
		state := mapOf(tbl("unchanged_table", id))
		got := Reconcile(state, mapOf(), live(tbl("unchanged_table", id)))
		if len(Diff(got, state)) != 0 {
			t.Fatalf("an unchanged table differs after reconciling: %v", Diff(got, state))
		}
	})
}
