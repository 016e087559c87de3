package infra

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func ptr[T any](v T) *T { return &v }

func TestColumnTypeJSONRoundTrips(t *testing.T) {
	one := int64(1)
	for _, tc := range []struct {
		t    ColumnType
		json string
	}{
		{String, `"String"`},
		{Int64, `"Int64"`},
		{UInt8, `"UInt8"`},
		{Boolean, `"Boolean"`},
		{DateTime, `"DateTime"`},
		{DateTime64{Precision: 3}, `"DateTime(3)"`},
		{Date, `"Date"`},
		{Date16, `"Date16"`},
		{Decimal{Precision: 10, Scale: 2}, `"Decimal(10, 2)"`},
		{FixedString{Length: 16}, `"FixedString(16)"`},
		{JSON, `"Json"`},
		{UUID, `"UUID"`},
		{Array{Element: String, ElementNullable: true}, `{"elementNullable":true,"elementType":"String"}`},
		{Nullable{Inner: Int32}, `{"nullable":"Int32"}`},
		{MapType{Key: String, Value: Float64}, `{"keyType":"String","valueType":"Float64"}`},
		{NamedTuple{Fields: []TupleField{{"a", String}}}, `{"fields":[["a","String"]]}`},
		{Enum{Name: "S", Values: []EnumMember{{Name: "A", Value: EnumValue{Int: &one}}}}, `{"name":"S","values":[{"name":"A","value":{"Int":1}}]}`},
		{Nested{Name: "N", Columns: []Column{{Name: "x", DataType: Int64, Required: true}}},
			`{"columns":[{"annotations":[],"data_type":"Int64","default":null,"name":"x","primary_key":false,"required":true,"unique":false}],"jwt":false,"name":"N"}`},
		{JSONOptions{MaxDynamicPaths: ptr(5), TypedPaths: []TupleField{{"a.b", String}}}, `{"max_dynamic_paths":5,"skip_paths":[],"skip_regexps":[],"typed_paths":[["a.b","String"]]}`},
	} {
		raw, err := MarshalColumnType(tc.t)
		if err != nil {
			t.Fatal(err)
		}
		sorted, _ := MarshalSorted(json.RawMessage(raw))
		var compact bytes.Buffer
		json.Compact(&compact, sorted)
		if got := compact.String(); got != tc.json {
			t.Errorf("%v: JSON %s, want %s", tc.t, got, tc.json)
		}
		back, err := UnmarshalColumnType([]byte(tc.json))
		if err != nil {
			t.Fatalf("%s: %v", tc.json, err)
		}
		if TypeKey(back) != TypeKey(tc.t) {
			t.Errorf("%s read back as %#v", tc.json, back)
		}
	}
}

func TestUnmarshalAcceptsUpstreamSpellings(t *testing.T) {
	for in, want := range map[string]ColumnType{
		`"Int"`:   Int64,
		`"Float"`: Float64,
		`{"element_type": "String", "element_nullable": false}`: Array{Element: String},
		`{"key_type": "String", "value_type": "Int8"}`:          MapType{Key: String, Value: Int8},
		`{"typedPaths": [], "skipPaths": ["x"]}`:                JSONOptions{SkipPaths: []string{"x"}},
	} {
		got, err := UnmarshalColumnType([]byte(in))
		if err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		if TypeKey(got) != TypeKey(want) {
			t.Errorf("%s: got %v", in, got)
		}
	}
	if _, err := UnmarshalColumnType([]byte(`"Complex"`)); err == nil {
		t.Error("an unknown type must be an error")
	}
}

func TestTableIDCarriesDatabaseAndVersion(t *testing.T) {
	tbl := &Table{Name: "Foo_1_0", Version: ptr("1.0")}
	if got := tbl.ID("local"); got != "local_Foo_1_0_1_0" {
		t.Errorf("versioned id = %q (upstream's quirk: the suffix twice)", got)
	}
	tbl = &Table{Name: "Bar", Database: ptr("other")}
	if got := tbl.ID("local"); got != "other_Bar" {
		t.Errorf("id = %q", got)
	}
}

func TestCanonicalizeFallsBackToKeyColumnsAndRequiresArrays(t *testing.T) {
	tbl := &Table{Name: "T", Columns: []Column{
		{Name: "id", DataType: String, PrimaryKey: true, Required: true},
		{Name: "tags", DataType: Array{Element: String}},
	}}
	tbl.Canonicalize()
	if tbl.OrderBy.String() != "id" || !tbl.Columns[1].Required {
		t.Fatalf("order by %q, tags required %v", tbl.OrderBy, tbl.Columns[1].Required)
	}
	buf := &Table{Name: "B", Engine: Engine{Name: "Buffer", Params: map[string]any{}}, Columns: []Column{{Name: "id", DataType: String, PrimaryKey: true}}}
	buf.Canonicalize()
	if buf.Columns[0].PrimaryKey || !buf.OrderBy.Empty() {
		t.Fatal("engines without ORDER BY carry no key flags and no ORDER BY")
	}
}

func TestMapJSONIsSortedAndRoundTrips(t *testing.T) {
	m := NewMap("local")
	m.AddTable(&Table{Name: "T", Engine: MergeTree, LifeCycle: FullyManaged, OrderBy: OrderBy{Expr: "tuple()", IsExpr: true},
		Columns: []Column{{Name: "a", DataType: String, Required: true, Annotations: []Annotation{{Key: "LowCardinality", Value: json.RawMessage("true")}}}}})
	m.AddTopic(&Topic{Name: "T", PartitionCount: 1, RetentionPeriod: Duration{Secs: 60}, SchemaConfig: json.RawMessage("null")})
	data, err := MarshalSorted(m)
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	if strings.Index(s, `"api_endpoints"`) > strings.Index(s, `"default_database"`) || !strings.Contains(s, `"order_by": "tuple()"`) ||
		!strings.Contains(s, `"LowCardinality",`) || !strings.Contains(s, `"engine": "MergeTree"`) {
		t.Fatalf("unexpected JSON:\n%s", s)
	}
	back, err := UnmarshalMap(data)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := MarshalSorted(back)
	if string(again) != s {
		t.Fatalf("round trip changed the map:\n%s\nvs\n%s", again, s)
	}
}

func TestEngineJSONIsExternallyTagged(t *testing.T) {
	e := Engine{Name: "ReplacingMergeTree", Params: map[string]any{"ver": "v", "is_deleted": nil}}
	b, _ := json.Marshal(e)
	if string(b) != `{"ReplacingMergeTree":{"is_deleted":null,"ver":"v"}}` {
		t.Fatalf("got %s", b)
	}
	var back Engine
	if err := json.Unmarshal(b, &back); err != nil || back.Name != "ReplacingMergeTree" || back.Params["ver"] != "v" {
		t.Fatalf("back = %+v, %v", back, err)
	}
}

func TestHashesFollowUpstreamsRecipe(t *testing.T) {
	// sha256("MergeTree") and sha256("a:1;b:2;"), computed with sha256sum
	if got := MergeTree.ParamsHash(); got != "d5aa53dbc771b396681e589a76e142d602f44981211d28085e2af418e519fe8a" {
		t.Errorf("MergeTree hash = %s", got)
	}
	a := Engine{Name: "ReplacingMergeTree", Params: map[string]any{"ver": "v", "is_deleted": nil}}
	b := Engine{Name: "ReplacingMergeTree", Params: map[string]any{"ver": nil, "is_deleted": "v"}}
	if a.ParamsHash() == b.ParamsHash() {
		t.Error("absent parameters are hashed by position")
	}
	tbl := &Table{TableSettings: map[string]string{"b": "2", "a": "1"}}
	if got := *tbl.SettingsHash(); got != "d88dae0dd036183320d1eb4db00a267e156d5f8c258c6713ab4cf07e6d4b3566" {
		t.Errorf("settings hash = %s", got)
	}
	if (&Table{}).SettingsHash() != nil {
		t.Error("no settings, no hash")
	}
}

func TestRiskClasses(t *testing.T) {
	ttl := "ts + INTERVAL 1 DAY"
	for _, tc := range []struct {
		op   Operation
		want Risk
	}{
		{CreateTable{Table: &Table{}}, RiskSafe},
		{AddTableColumn{}, RiskSafe},
		{RenameTableColumn{}, RiskSafe},
		{ModifyTableSettings{}, RiskSafe},
		{ModifyTableColumn{}, RiskRewriting},
		{RawSQL{}, RiskRewriting},
		{RawSQL{SQL: []string{"INSERT INTO t SELECT * FROM u"}}, RiskRewriting},
		{RawSQL{SQL: []string{"rename table `a` TO `b`"}}, RiskSafe},
		{RawSQL{SQL: []string{"RENAME TABLE a TO b", "TRUNCATE TABLE b"}}, RiskRewriting},
		{DropTableColumn{}, RiskDestructive},
		{DropTable{}, RiskDestructive},
		{ModifyTableTtl{After: &ttl}, RiskDestructive},
		{ModifyTableTtl{}, RiskSafe},
	} {
		if got := RiskOf(tc.op); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.op.OpName(), got, tc.want)
		}
	}
	if MaxRisk([]Operation{AddTableColumn{}, ModifyTableColumn{}}) != RiskRewriting {
		t.Error("max of safe and rewriting is rewriting")
	}
}

// FuzzUnmarshalMap: a map that reads is written as JSON that reads back as
// the same map; nothing panics.
func FuzzUnmarshalMap(f *testing.F) {
	m := NewMap("local")
	m.AddTable(&Table{Name: "T", Columns: []Column{{Name: "a", DataType: Array{Element: Nullable{Inner: String}}}}, OrderBy: OrderBy{Fields: []string{"a"}}})
	n, ttl, db := int64(2), "ts + toIntervalDay(1)", "analytics"
	paths := 8
	m.AddTable(&Table{Name: "Every", Database: &db, Version: ptr("1.2"), TTL: &ttl, LifeCycle: DeletionProtected,
		Engine: Engine{Name: "ReplacingMergeTree", Params: map[string]any{"ver": "v"}}, OrderBy: OrderBy{Expr: "(id, ts)", IsExpr: true},
		TableSettings: map[string]string{"index_granularity": "8192"},
		Columns: []Column{
			{Name: "e", DataType: Enum{Name: "E", Values: []EnumMember{{Name: "a", Value: EnumValue{Int: &n}}, {Name: "b", Value: EnumValue{Str: ptr("b")}}}}, Required: true},
			{Name: "t", DataType: NamedTuple{Fields: []TupleField{{Name: "x", Type: Decimal{Precision: 10, Scale: 2}}, {Name: "y", Type: MapType{Key: String, Value: DateTime64{Precision: 3}}}}}},
			{Name: "n", DataType: Nested{Name: "N", Columns: []Column{{Name: "k", DataType: FixedString{Length: 4}, Required: true}}}},
			{Name: "j", DataType: JSONOptions{MaxDynamicPaths: &paths, TypedPaths: []TupleField{{Name: "a.b", Type: Int64}}, SkipPaths: []string{"c"}, SkipRegexps: []string{"d.*"}}},
			{Name: "s", DataType: UInt64, Default: ptr("0"), Comment: ptr("note"), Codec: ptr("ZSTD(3)"),
				Annotations: []Annotation{{Key: "simpleAggregationFunction", Value: []byte(`{"functionName":"sum","argumentType":"UInt64"}`)}}},
		}})
	b, _ := MarshalSorted(m)
	f.Add(string(b))
	f.Add(`{"tables": {"x": {"name": "x", "columns": [{"name": "c", "data_type": {"nullable": {"keyType": "String", "valueType": "Int"}}}], "engine": {"ReplacingMergeTree": {}}}}}`)
	f.Fuzz(func(t *testing.T, s string) {
		m, err := UnmarshalMap([]byte(s))
		if err != nil {
			return
		}
		written, err := MarshalSorted(m)
		if err != nil {
			t.Fatalf("a map that reads must write: %v", err)
		}
		// what is written reads back as the same map (the state file and
		// Clone depend on it)
		back, err := UnmarshalMap(written)
		if err != nil {
			t.Fatalf("%q reads, is written as\n%s\nwhich does not read: %v", s, written, err)
		}
		again, err := MarshalSorted(back)
		if err != nil || string(again) != string(written) {
			t.Fatalf("%q is written as\n%s\nwhich reads back and is written as\n%s(%v)", s, written, again, err)
		}
	})
}

// TestViewClustersFollowTheTarget: a materialized view runs ON the cluster
// of its target table; with a target on one server it stays there, even
// over a clustered source (ON CLUSTER would fail on the nodes without the
// target); with a target the map does not hold, and for a view, the first
// clustered source decides.
func TestViewClustersFollowTheTarget(t *testing.T) {
	c := func(s string) *string { return &s }
	m := NewMap("local")
	m.AddTable(&Table{Name: "Src", ClusterName: c("main")})
	m.AddTable(&Table{Name: "OnCluster", ClusterName: c("other")})
	m.AddTable(&Table{Name: "Local"})
	for _, v := range []*MaterializedView{
		{Name: "ToCluster", SourceTables: []string{"`local`.`Src`"}, TargetTable: "OnCluster"},
		{Name: "ToLocal", SourceTables: []string{"`local`.`Src`"}, TargetTable: "Local"},
		{Name: "ToElsewhere", SourceTables: []string{"Local", "`local`.`Src`"}, TargetTable: "External"},
	} {
		m.MaterializedViews[v.Name] = v
	}
	m.Views = map[string]*View{"V": {Name: "V", SourceTables: []string{"Local", "Src"}}}
	got := ViewClusters("local", m)
	want := map[string]string{"local.ToCluster": "other", "local.ToElsewhere": "main", "local.V": "main"}
	if len(got) != len(want) {
		t.Fatalf("ViewClusters = %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Fatalf("ViewClusters = %v, want %v", got, want)
		}
	}
}

// A state whose entries are null (cut or edited by hand) is refused with
// what and where, not taken in to crash a reader later.
func TestANullEntryIsRefused(t *testing.T) {
	for _, in := range []string{`{"tables":{"t":null}}`, `{"topics":{"s":null}}`, `{"views":{"v":null}}`} {
		if _, err := UnmarshalMap([]byte(in)); err == nil || !strings.Contains(err.Error(), "is null") {
			t.Errorf("%s: %v", in, err)
		}
	}
}
