package differ

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/moose-dev/moose-dev/infra"
)

func sqlRes(name string, setup, teardown []string) *infra.SQLResource {
	return &infra.SQLResource{Name: name, Setup: setup, Teardown: teardown}
}

func withSQL(rs ...*infra.SQLResource) *infra.Map {
	m := infra.NewMap("local")
	for _, r := range rs {
		m.SQLResources[r.Name] = r
	}
	return m
}

// summary writes a change list as "Kind:Action:name".
func summary(changes []Change) []string {
	names := map[Action]string{Added: "Added", Removed: "Removed", Updated: "Updated"}
	var out []string
	for _, c := range changes {
		switch c := c.(type) {
		case SQLResourceChange:
			r := c.After
			if r == nil {
				r = c.Before
			}
			out = append(out, "SqlResource:"+names[c.Action]+":"+r.Name)
		case ResourceChange:
			out = append(out, c.Kind+":"+names[c.Action]+":"+c.ID)
		default:
			out = append(out, fmt.Sprintf("%T", c))
		}
	}
	return out
}

// Upstream's diff_sql_resources_tests.
func TestSQLResourceDiff(t *testing.T) {
	for _, tc := range []struct {
		name             string
		current, desired *infra.Map
		want             []string
	}{
		{"no changes empty", withSQL(), withSQL(), nil},
		{"no changes identical", withSQL(sqlRes("res1", []string{"setup1"}, []string{"teardown1"})),
			withSQL(sqlRes("res1", []string{"setup1"}, []string{"teardown1"})), nil},
		{"add resource", withSQL(), withSQL(sqlRes("res1", []string{"setup1"}, []string{"teardown1"})), []string{"SqlResource:Added:res1"}},
		{"remove resource", withSQL(sqlRes("res1", []string{"setup1"}, []string{"teardown1"})), withSQL(), []string{"SqlResource:Removed:res1"}},
		{"update resource setup", withSQL(sqlRes("res1", []string{"old_setup"}, []string{"teardown1"})),
			withSQL(sqlRes("res1", []string{"new_setup"}, []string{"teardown1"})), []string{"SqlResource:Updated:res1"}},
		{"update resource teardown", withSQL(sqlRes("res1", []string{"setup1"}, []string{"old_teardown"})),
			withSQL(sqlRes("res1", []string{"setup1"}, []string{"new_teardown"})), []string{"SqlResource:Updated:res1"}},
		{"multiple changes",
			withSQL(sqlRes("res1", []string{"setup1"}, []string{"teardown1"}), sqlRes("res2", []string{"old_setup2"}, []string{"teardown2"}),
				sqlRes("res3", []string{"setup3"}, []string{"teardown3"})),
			withSQL(sqlRes("res1", []string{"setup1"}, []string{"teardown1"}), sqlRes("res2", []string{"new_setup2"}, []string{"teardown2"}),
				sqlRes("res4", []string{"setup4"}, []string{"teardown4"})),
			[]string{"SqlResource:Updated:res2", "SqlResource:Removed:res3", "SqlResource:Added:res4"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := summary(Diff(tc.current, tc.desired)); !equalStrings(got, tc.want) {
				t.Fatalf("changes %q, want %q", got, tc.want)
			}
		})
	}
}

func TestSQLResourcesAreTornDownBeforeTablesAndSetUpAfterThem(t *testing.T) {
	id := col("id", infra.String)
	cur := withSQL(sqlRes("old_view", []string{"CREATE VIEW old_view AS SELECT * FROM A"}, []string{"DROP VIEW old_view"}),
		sqlRes("v", []string{"CREATE VIEW v AS SELECT 1"}, []string{"DROP VIEW v"}))
	cur.AddTable(table("A", id))
	des := withSQL(sqlRes("v", []string{"CREATE VIEW v AS SELECT 2"}, []string{"DROP VIEW v"}),
		sqlRes("new_view", []string{"CREATE VIEW new_view AS SELECT * FROM B", "SELECT 1"}, []string{"DROP VIEW new_view"}))
	des.AddTable(table("B", id))
	var got []string
	for _, op := range Plan(Diff(cur, des)) {
		if r, ok := op.(infra.RawSQL); ok {
			got = append(got, strings.Join(r.SQL, "; "))
		} else {
			got = append(got, opNames([]infra.Operation{op})...)
		}
	}
	want := []string{"DROP VIEW old_view", "DROP VIEW v", "DropTable:A", "CreateTable:B",
		"CREATE VIEW new_view AS SELECT * FROM B; SELECT 1", "CREATE VIEW v AS SELECT 2"}
	if !equalStrings(got, want) {
		t.Fatalf("ops:\n%q\nwant\n%q", got, want)
	}
}

func TestOtherResourcesChangeOnlyWhenTheyDo(t *testing.T) {
	v1 := "1.0"
	api := func(path string, meta string) *infra.APIEndpoint {
		a := &infra.APIEndpoint{Name: "Ingest", Method: "POST", Path: path, Version: &v1,
			APIType: json.RawMessage(`{"INGRESS":{"target_topic_id":"T","data_model":{"b":1,"a":2}}}`)}
		if meta != "" {
			a.Metadata = &infra.Metadata{Description: &meta}
		}
		return a
	}
	flow := func(schedule string, pulls ...string) *infra.Workflow {
		w := &infra.Workflow{Name: "daily", Config: infra.WorkflowConfig{Schedule: schedule, Retries: 3, Timeout: "1h"}}
		for _, p := range pulls {
			w.PullsDataFrom = append(w.PullsDataFrom, infra.Signature{Kind: "Table", ID: p})
		}
		return w
	}
	fn := func(instances int, meta string) *infra.FunctionProcess {
		f := &infra.FunctionProcess{Name: "A__B", SourceTopicID: "A", ParallelProcessCount: instances, Language: "Python"}
		if meta != "" {
			f.Metadata = &infra.Metadata{Description: &meta}
		}
		return f
	}
	build := func(a *infra.APIEndpoint, w *infra.Workflow, f *infra.FunctionProcess, web *infra.WebApp) *infra.Map {
		m := infra.NewMap("local")
		if a != nil {
			m.APIEndpoints[a.ID()] = a
		}
		if w != nil {
			m.Workflows[w.Name] = w
		}
		if f != nil {
			m.FunctionProcesses[f.ID()] = f
		}
		if web != nil {
			m.WebApps[web.Name] = web
		}
		return m
	}
	reordered := api("ingest/x", "")
	reordered.APIType = json.RawMessage("{\n  \"INGRESS\": {\"data_model\": {\"a\": 2, \"b\": 1}, \"target_topic_id\": \"T\"}\n}")
	for _, tc := range []struct {
		name             string
		current, desired *infra.Map
		want             []string
	}{
		{"an API read back with its JSON reordered is unchanged", build(api("ingest/x", ""), nil, nil, nil), build(reordered, nil, nil, nil), nil},
		{"an API's metadata is not compared", build(api("ingest/x", "old"), nil, nil, nil), build(api("ingest/x", "new"), nil, nil, nil), nil},
		{"an API's path is", build(api("ingest/x", ""), nil, nil, nil), build(api("ingest/y", ""), nil, nil, nil),
			[]string{"ApiEndpoint:Updated:INGRESS_Ingest_1_0"}},
		{"an API added and removed", build(nil, nil, nil, nil), build(api("p", ""), nil, nil, nil), []string{"ApiEndpoint:Added:INGRESS_Ingest_1_0"}},
		{"a workflow's lineage is a set", build(nil, flow("", "a", "b"), nil, nil), build(nil, flow("", "b", "a"), nil, nil), nil},
		{"a workflow's schedule changes it", build(nil, flow(""), nil, nil), build(nil, flow("@daily"), nil, nil), []string{"Workflow:Updated:daily"}},
		{"a function process unchanged is not reported (upstream reloads it every time)",
			build(nil, nil, fn(2, "x"), nil), build(nil, nil, fn(2, "y"), nil), nil},
		{"a function process with more instances is", build(nil, nil, fn(2, ""), nil), build(nil, nil, fn(4, ""), nil),
			[]string{"FunctionProcess:Updated:A__B_A"}},
		{"a web app moved", build(nil, nil, nil, &infra.WebApp{Name: "w", MountPath: "/a"}), build(nil, nil, nil, &infra.WebApp{Name: "w", MountPath: "/b"}),
			[]string{"WebApp:Updated:w"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			changes := Diff(tc.current, tc.desired)
			if got := summary(changes); !equalStrings(got, tc.want) {
				t.Fatalf("changes %q, want %q", got, tc.want)
			}
			if ops := Plan(changes); len(ops) != 0 {
				t.Fatalf("these resources plan no operations, got %v", ops)
			}
		})
	}
}

// Upstream's sql_resource.rs equality cases.
func TestSQLResourceEquality(t *testing.T) {
	res := func(name string, setup, teardown []string) *infra.SQLResource { return sqlRes(name, setup, teardown) }
	local := "local"
	withDB := res("MyView", []string{"CREATE VIEW MyView AS SELECT * FROM table1"}, []string{"DROP VIEW IF EXISTS MyView"})
	withDB.Database = &local
	pulls := func(r *infra.SQLResource, id string) *infra.SQLResource {
		r.PullsDataFrom = []infra.Signature{{Kind: "Table", ID: id}}
		return r
	}
	for _, tc := range []struct {
		name  string
		a, b  *infra.SQLResource
		equal bool
	}{
		{"exact match", res("TestMV", []string{"CREATE MATERIALIZED VIEW TestMV AS SELECT * FROM source"}, []string{"DROP VIEW IF EXISTS TestMV"}),
			res("TestMV", []string{"CREATE MATERIALIZED VIEW TestMV AS SELECT * FROM source"}, []string{"DROP VIEW IF EXISTS TestMV"}), true},
		{"case differences", res("TestMV", []string{"create view TestMV as select count(id) from users"}, []string{"drop view if exists TestMV"}),
			res("TestMV", []string{"CREATE VIEW TestMV AS SELECT COUNT(id) FROM users"}, []string{"DROP VIEW IF EXISTS TestMV"}), true},
		{"comprehensive: user-defined against introspected",
			res("BarAggregated_MV", []string{"CREATE MATERIALIZED VIEW IF NOT EXISTS `BarAggregated_MV`\n        TO `BarAggregated`\n        AS SELECT\n    count(`primaryKey`) as totalRows\n  FROM `Bar`"},
				[]string{"DROP VIEW IF EXISTS `BarAggregated_MV`"}),
			res("BarAggregated_MV", []string{"CREATE MATERIALIZED VIEW IF NOT EXISTS BarAggregated_MV TO BarAggregated AS SELECT COUNT(primaryKey) AS totalRows FROM Bar"},
				[]string{"DROP VIEW IF EXISTS `BarAggregated_MV`"}), true},
		{"different names", res("MV1", []string{"CREATE VIEW MV1 AS SELECT * FROM source"}, []string{"DROP VIEW IF EXISTS MV1"}),
			res("MV2", []string{"CREATE VIEW MV2 AS SELECT * FROM source"}, []string{"DROP VIEW IF EXISTS MV2"}), false},
		{"different sql", res("TestMV", []string{"CREATE VIEW TestMV AS SELECT col1 FROM table"}, []string{"DROP VIEW IF EXISTS TestMV"}),
			res("TestMV", []string{"CREATE VIEW TestMV AS SELECT col2 FROM table"}, []string{"DROP VIEW IF EXISTS TestMV"}), false},
		{"different data lineage", pulls(res("TestMV", []string{"CREATE VIEW TestMV AS SELECT * FROM source"}, []string{"DROP VIEW IF EXISTS TestMV"}), "Table1"),
			pulls(res("TestMV", []string{"CREATE VIEW TestMV AS SELECT * FROM source"}, []string{"DROP VIEW IF EXISTS TestMV"}), "Table2"), false},
		{"multiple statements", res("TestMV", []string{"CREATE VIEW TestMV AS SELECT * FROM source", "CREATE INDEX idx ON TestMV (col1)"}, []string{"DROP VIEW IF EXISTS TestMV"}),
			res("TestMV", []string{"create view TestMV as select * from source", "create index idx on TestMV (col1)"}, []string{"drop view if exists TestMV"}), true},
		{"ignores the database field", res("MyView", []string{"CREATE VIEW MyView AS SELECT * FROM table1"}, []string{"DROP VIEW IF EXISTS MyView"}), withDB, true},
		{"normalized sql", res("TestView", []string{"CREATE VIEW IF NOT EXISTS TestView \n          AS SELECT\n    `primaryKey`,\n    `utcTimestamp`,\n    `textLength`\n  FROM `Bar`\n  WHERE `hasText` = true"},
			[]string{"DROP VIEW IF EXISTS `TestView`"}),
			res("TestView", []string{"CREATE VIEW IF NOT EXISTS TestView AS SELECT primaryKey, utcTimestamp, textLength FROM Bar WHERE hasText = true"},
				[]string{"DROP VIEW IF EXISTS `TestView`"}), true},
		{"a statement more is a change", res("V", []string{"CREATE VIEW V AS SELECT 1"}, nil), res("V", []string{"CREATE VIEW V AS SELECT 1", "SELECT 2"}, nil), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := SQLResourcesEqual(tc.a, tc.b); got != tc.equal {
				t.Fatalf("equal = %v, want %v\n%q\n%q", got, tc.equal, NormalizeSQL(tc.a.Setup[0]), NormalizeSQL(tc.b.Setup[0]))
			}
		})
	}
}

// A SQL resource that reads a view is set up after the view and torn down
// before it, whatever the order of the changes (Diff puts SQL resources
// before views).
func TestSQLResourcesFollowTheirLineage(t *testing.T) {
	id := col("id", infra.String)
	res := sqlRes("rollup", []string{"CREATE VIEW rollup AS SELECT count() FROM base"}, []string{"DROP VIEW rollup"})
	res.PullsDataFrom = []infra.Signature{{Kind: "View", ID: "local_base"}}
	with := mapOf(table("T", id))
	with.SQLResources[res.Name] = res
	with.Views["local_base"] = &infra.View{Name: "base", SelectSQL: "SELECT * FROM T", SourceTables: []string{"`T`"}}
	without := mapOf(table("T", id))
	sqlOf := func(ops []infra.Operation) []string {
		var out []string
		for _, op := range ops {
			switch o := op.(type) {
			case infra.RawSQL:
				out = append(out, o.SQL...)
			case infra.CreateView:
				out = append(out, "CreateView:"+o.Name)
			case infra.DropView:
				out = append(out, "DropView:"+o.Name)
			}
		}
		return out
	}
	if got := sqlOf(Plan(Diff(without, with))); !equalStrings(got, []string{"CreateView:base", "CREATE VIEW rollup AS SELECT count() FROM base"}) {
		t.Fatalf("setup order %q", got)
	}
	if got := sqlOf(Plan(Diff(with, without))); !equalStrings(got, []string{"DROP VIEW rollup", "DropView:base"}) {
		t.Fatalf("teardown order %q", got)
	}
}
