package planfile

import (
	"encoding/json"
	"flag"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/moose-dev/moose-dev/differ"
	"github.com/moose-dev/moose-dev/infra"
)

var update = flag.Bool("update", false, "rewrite golden files")

func samplePlan() *Plan {
	id := infra.Column{Name: "id", DataType: infra.String, Required: true, PrimaryKey: true}
	cur, des := infra.NewMap("local"), infra.NewMap("local")
	old := &infra.Table{Name: "Old", Columns: []infra.Column{id}, Engine: infra.MergeTree, LifeCycle: infra.FullyManaged}
	cur.AddTable(old)
	t := &infra.Table{Name: "Foo", Columns: []infra.Column{id, {Name: "note", DataType: infra.String}}, Engine: infra.MergeTree, LifeCycle: infra.FullyManaged,
		Metadata: &infra.Metadata{}}
	t.FillHashes()
	des.AddTable(t)
	des.MaterializedViews["FooMV"] = &infra.MaterializedView{Name: "FooMV", SelectSQL: "SELECT id\nFROM Foo", TargetTable: "Foo"}
	ops := differ.Plan(differ.Diff(cur, des))
	ops = append(ops, infra.RenameTableColumn{Table: "Foo", BeforeColumnName: "a", AfterColumnName: "b"},
		infra.RawSQL{SQL: []string{"OPTIMIZE TABLE Foo FINAL"}, Description: "compact"})
	return &Plan{CreatedAt: time.Date(2026, 11, 22, 5, 35, 31, 668353000, time.UTC), Operations: ops}
}

func TestPlanYAMLGolden(t *testing.T) {
	got, err := samplePlan().MarshalYAML()
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		os.WriteFile("testdata/plan.yaml", got, 0o644)
	}
	want, err := os.ReadFile("testdata/plan.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Fatalf("plan.yaml differs:\n%s", got)
	}
	for _, must := range []string{Header, "created_at: 2026-11-22T05:35:31.668353Z\n", "- DropTable:", "cluster_name: null", "- CreateTable:", "- CreateMaterializedView:", "- RenameTableColumn:", "- RawSql:"} {
		if !strings.Contains(string(got), must) {
			t.Errorf("plan.yaml lacks %q", must)
		}
	}
}

func TestPlanRoundTrips(t *testing.T) {
	p := samplePlan()
	y, err := p.MarshalYAML()
	if err != nil {
		t.Fatal(err)
	}
	back, err := Unmarshal(y)
	if err != nil {
		t.Fatal(err)
	}
	y2, err := back.MarshalYAML()
	if err != nil {
		t.Fatal(err)
	}
	if string(y) != string(y2) {
		t.Fatalf("YAML changed on a round trip:\n%s\n---\n%s", y, y2)
	}
	j, _ := p.MarshalJSON()
	fromJSON, err := Unmarshal(j)
	if err != nil || len(fromJSON.Operations) != len(p.Operations) {
		t.Fatalf("JSON read back: %v", err)
	}
}

func TestHandEditedPlanErrorsNameTheOperation(t *testing.T) {
	for _, tc := range []struct{ yaml, want string }{
		{"operations:\n- DropTabel:\n    table: x\n", "operations[0] (DropTabel): unknown operation"},
		{"operations:\n- DropTable:\n    table: x\n- AddTableColumn:\n    table: t\n    colum: {}\n", `operations[1] (AddTableColumn): unknown field "colum"`},
		{"operations:\n- DropTable:\n    table: x\n  DropView:\n    name: v\n", "operations[0]: an operation is a map with one key"},
		{"created_at: yesterday\noperations: []\n", "created_at \"yesterday\" is not an RFC 3339 time"},
		{"operations:\n- AddTableColumn:\n    table: t\n    column: {name: c, data_type: Complex}\n", "operations[0] (AddTableColumn)"},
		// a required field left out is refused when the plan is read, before anything runs
		{"operations:\n- DropTable: {table: x}\n- CreateTable:\n    table:\n      columns: [{name: id, data_type: String}]\n",
			"operations[1] (CreateTable): table.name: the table to create needs a name"},
		{"operations:\n- CreateTable:\n    table: null\n", "operations[0] (CreateTable): table: the table to create is required"},
		{"operations:\n- CreateTable:\n    table: {name: t, columns: []}\n", "operations[0] (CreateTable): table.columns: table \"t\" needs at least one column"},
		{"operations:\n- CreateTable:\n    table: {name: t, columns: [{name: '', data_type: String}]}\n", "operations[0] (CreateTable): table.columns[0].name"},
		{"operations:\n- DropTable: {table: ''}\n", "operations[0] (DropTable): table: the table's name is required"},
		{"operations:\n- DropTableColumn: {table: t}\n", "operations[0] (DropTableColumn): column_name"},
		{"operations:\n- RenameTableColumn: {table: t, before_column_name: a}\n", "operations[0] (RenameTableColumn): after_column_name"},
		{"operations:\n- AddTableIndex: {table: t, index: {name: i, expression: x}}\n", "operations[0] (AddTableIndex): index.type"},
		{"operations:\n- CreateMaterializedView: {name: mv, select_sql: SELECT 1}\n", "operations[0] (CreateMaterializedView): target_table"},
		{"operations:\n- CreateView: {name: v}\n", "operations[0] (CreateView): select_sql"},
		{"operations:\n- RawSql: {sql: [], description: d}\n", "operations[0] (RawSql): sql: at least one statement is required"},
		{"operations:\n- RawSql: {sql: ['SELECT 1', '  '], description: d}\n", "operations[0] (RawSql): sql[1]: the statement is empty"},
	} {
		_, err := Unmarshal([]byte(tc.yaml))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: got %v, want %q", tc.yaml, err, tc.want)
		}
	}
}

// FuzzUnmarshal: a plan that reads is written (YAML and JSON) as text that
// reads back as the same plan; nothing panics.
func FuzzUnmarshal(f *testing.F) {
	y, _ := samplePlan().MarshalYAML()
	f.Add(string(y))
	f.Add("operations:\n- DropTable: {table: x}\n")
	l, _ := layoutPlan().MarshalYAML()
	f.Add(string(l))
	f.Add(string(indented(f, l))) // the layout older moose-dev versions wrote
	f.Fuzz(func(t *testing.T, s string) {
		p, err := Unmarshal([]byte(s))
		if err != nil {
			return
		}
		y, err := p.MarshalYAML()
		if err != nil {
			t.Fatalf("a plan that reads must write: %v", err)
		}
		checkUpstreamLayout(t, y)
		j, err := p.MarshalJSON()
		if err != nil {
			t.Fatalf("a plan that reads must write as JSON: %v", err)
		}
		// what is written reads back as the same plan, from YAML and from JSON
		for _, written := range [][]byte{y, j} {
			back, err := Unmarshal(written)
			if err != nil {
				t.Fatalf("%q reads, is written as\n%s\nwhich does not read: %v", s, written, err)
			}
			again, err := back.MarshalYAML()
			if err != nil || string(again) != string(y) {
				t.Fatalf("%q is written as\n%s\nwhich reads back and is written as\n%s(%v)", s, y, again, err)
			}
		}
	})
}

// The schema's fields for each operation are exactly the keys the plan
// writer emits for it, so an editor validating against it flags a misspelt
// field and accepts everything moose-dev writes.
func TestSchemaMatchesWhatIsWritten(t *testing.T) {
	variants := Schema()["properties"].(map[string]any)["operations"].(map[string]any)["items"].(map[string]any)["oneOf"].([]any)
	fields := map[string]map[string]any{}
	for _, v := range variants {
		for name, body := range v.(map[string]any)["properties"].(map[string]any) {
			fields[name] = body.(map[string]any)["properties"].(map[string]any)
		}
	}
	if len(fields) != len(OperationNames()) {
		t.Fatalf("schema has %d operations, the plan reader %d", len(fields), len(OperationNames()))
	}
	id := infra.Column{Name: "id", DataType: infra.String}
	withColumns := map[string]infra.Operation{
		"AddTableColumn":    infra.AddTableColumn{Column: id},
		"ModifyTableColumn": infra.ModifyTableColumn{BeforeColumn: id, AfterColumn: id},
	}
	for name, mk := range operationTypes {
		op := mk()
		if o, ok := withColumns[name]; ok {
			op = o
		}
		raw, err := infra.MarshalOperation(op)
		if err != nil {
			t.Fatal(err)
		}
		var written map[string]map[string]any
		if err := json.Unmarshal(raw, &written); err != nil {
			t.Fatal(err)
		}
		for name, body := range written {
			if len(body) != len(fields[name]) {
				t.Errorf("%s: written keys %v, schema %v", name, body, fields[name])
			}
			for k := range body {
				if _, ok := fields[name][k]; !ok {
					t.Errorf("%s: schema lacks %q", name, k)
				}
			}
		}
	}
}
