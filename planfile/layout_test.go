package planfile

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/moose-dev/moose-dev/infra"
	"go.yaml.in/yaml/v3"
)

// layoutPlan exercises everything the layout depends on: sequences nested
// in mappings nested in sequences (columns of a Nested type inside a
// table's columns, enum members, order_by fields, index arguments), empty
// sequences and maps, multi-line SQL (block scalars, one with a line that
// starts with spaces, one whose trailing spaces make it a quoted scalar),
// and one-line strings containing ": ", "- " and " #".
func layoutPlan() *Plan {
	str := func(s string) *string { return &s }
	one, two := int64(1), int64(2)
	addr := infra.Nested{Name: "Address", Columns: []infra.Column{
		{Name: "city", DataType: infra.String, Required: true},
		{Name: "tags", DataType: infra.Array{Element: infra.String}, Required: true},
	}}
	status := infra.Enum{Name: "Status", Values: []infra.EnumMember{{Name: "on", Value: infra.EnumValue{Int: &one}}, {Name: "off", Value: infra.EnumValue{Int: &two}}}}
	t := &infra.Table{Name: "Events", Engine: infra.MergeTree, LifeCycle: infra.FullyManaged, Metadata: &infra.Metadata{Description: str("events: one per click - kept 30 days")},
		Columns: []infra.Column{
			{Name: "id", DataType: infra.String, Required: true, PrimaryKey: true},
			{Name: "ts", DataType: infra.DateTime, Required: true, PrimaryKey: true, Comment: str("when: UTC")},
			{Name: "address", DataType: addr, Required: true},
			{Name: "status", DataType: status, Required: true},
		},
		OrderBy: infra.OrderBy{Fields: []string{"id", "ts"}},
	}
	t.FillHashes()
	return &Plan{CreatedAt: time.Date(2026, 11, 22, 5, 35, 31, 668353000, time.UTC), Operations: []infra.Operation{
		infra.CreateTable{Table: t},
		infra.AddTableIndex{Table: "Events", Index: infra.TableIndex{Name: "by_url", Expression: "url", Type: "bloom_filter", Arguments: []string{"0.01"}, Granularity: 1}},
		infra.ModifyTableSettings{Table: "Events", BeforeSettings: map[string]string{}, AfterSettings: map[string]string{"index_granularity": "8192"}},
		infra.CreateView{Name: "Recent", SelectSQL: "SELECT id, ts\nFROM Events\nWHERE ts > now() - INTERVAL 1 DAY\n"},
		infra.RawSQL{Description: "multi-line: block scalars - and quoting", SQL: []string{
			"CREATE MATERIALIZED VIEW mv TO target AS\nSELECT toStartOfDay(ts) AS day, count() AS n\nFROM Events\nGROUP BY day",
			"  -- indented first line\nSELECT 1",
			"SELECT 1 \nFROM trailing_space",
			"SELECT 'a: b', '- c' # not a comment",
		}},
	}}
}

func TestPlanYAMLUpstreamLayoutGolden(t *testing.T) {
	got, err := layoutPlan().MarshalYAML()
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		os.WriteFile("testdata/layout.yaml", got, 0o644)
	}
	want, err := os.ReadFile("testdata/layout.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Fatalf("plan.yaml differs from testdata/layout.yaml:\n%s", got)
	}
	checkUpstreamLayout(t, got)
	// the shapes of serde_yaml's layout, spelled out
	for _, must := range []string{
		"\noperations:\n- CreateTable:\n    table:\n      columns:\n      - annotations: []\n",
		"\n      order_by:\n      - id\n      - ts\n",
		"\n          columns:\n          - annotations: []\n", // a Nested type's columns, inside a column
		"\n    sql:\n    - |-\n      CREATE MATERIALIZED VIEW mv TO target AS\n      SELECT toStartOfDay(ts)",
		"\n    - |2-\n        -- indented first line\n      SELECT 1\n",
		"\n    before_settings: {}\n",
		"\n    select_sql: |\n      SELECT id, ts\n",
	} {
		if !strings.Contains(string(got), must) {
			t.Errorf("plan.yaml lacks %q", must)
		}
	}
	back, err := Unmarshal(got)
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := back.MarshalYAML(); string(again) != string(got) {
		t.Fatalf("YAML changed on a round trip:\n%s", again)
	}
}

// indented rewrites a plan file in the layout moose-dev wrote before it
// followed serde_yaml: every sequence indented by two under its key.
func indented(t testing.TB, data []byte) []byte {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	buf.WriteString(Header)
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// Plans in either layout read as the same plan, which is written back in
// upstream's layout.
func TestBothLayoutsRead(t *testing.T) {
	for name, p := range map[string]*Plan{"sample": samplePlan(), "layout": layoutPlan()} {
		upstream, err := p.MarshalYAML()
		if err != nil {
			t.Fatal(err)
		}
		old := indented(t, upstream)
		if !strings.Contains(string(old), "\noperations:\n  - ") || string(old) == string(upstream) {
			t.Fatalf("%s: not the old layout:\n%s", name, old)
		}
		wantJSON, _ := p.MarshalJSON()
		for layout, text := range map[string][]byte{"upstream": upstream, "indented": old} {
			back, err := Unmarshal(text)
			if err != nil {
				t.Fatalf("%s, %s layout: %v\n%s", name, layout, err, text)
			}
			if j, _ := back.MarshalJSON(); string(j) != string(wantJSON) {
				t.Errorf("%s, %s layout: read back as a different plan:\n%s", name, layout, j)
			}
			if y, _ := back.MarshalYAML(); string(y) != string(upstream) {
				t.Errorf("%s, %s layout: rewritten as\n%s", name, layout, y)
			}
		}
	}
}

// checkUpstreamLayout checks serde_yaml's indentation on a parsed file: a
// sequence that is a mapping's value has its dashes at the key's column;
// a mapping that is a mapping's value is indented by 2; an item's content
// starts two past its dash. No flow collections other than [] and {}.
func checkUpstreamLayout(t testing.TB, data []byte) {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if (n.Kind == yaml.SequenceNode || n.Kind == yaml.MappingNode) && n.Style&yaml.FlowStyle != 0 && len(n.Content) > 0 {
			t.Errorf("line %d: a non-empty flow collection", n.Line)
		}
		switch n.Kind {
		case yaml.DocumentNode:
			for _, c := range n.Content {
				walk(c)
			}
		case yaml.SequenceNode:
			for _, item := range n.Content {
				if line := lines[item.Line-1]; item.Column < 3 || line[item.Column-3:item.Column-1] != "- " {
					t.Errorf("line %d: item not two past its dash: %q", item.Line, line)
				}
				walk(item)
			}
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				if v.Style&yaml.FlowStyle == 0 && len(v.Content) > 0 {
					switch v.Kind {
					case yaml.SequenceNode:
						if dash := v.Content[0].Column - 2; dash != k.Column || v.Line != k.Line+1 {
							t.Errorf("line %d: sequence under %q at column %d, its key at %d", v.Line, k.Value, dash, k.Column)
						}
					case yaml.MappingNode:
						if v.Column != k.Column+2 || v.Line != k.Line+1 {
							t.Errorf("line %d: mapping under %q at column %d, its key at %d", v.Line, k.Value, v.Column, k.Column)
						}
					}
				}
				walk(v)
			}
		}
	}
	walk(&doc)
}
