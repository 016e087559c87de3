package clickhouse

import (
	"fmt"
	"net"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/moose-dev/moose-dev/infra"
)

func TestNormalizeKey(t *testing.T) {
	for in, want := range map[string]string{"(id)": "id", "id": "id", "(a, b)": "a, b", "(a) + (b)": "(a) + (b)", "": "", "((x))": "x"} {
		if got := NormalizeKey(in); got != want {
			t.Errorf("NormalizeKey(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCreateTableRendersUpstreamShape(t *testing.T) {
	tbl := &infra.Table{Name: "Foo", Engine: infra.MergeTree, OrderBy: infra.OrderBy{Fields: []string{"id", "ts"}},
		Columns: []infra.Column{
			{Name: "id", DataType: infra.String, Required: true, PrimaryKey: true},
			{Name: "ts", DataType: infra.DateTime, Required: true},
			{Name: "note", DataType: infra.String},
			{Name: "tags", DataType: infra.Array{Element: infra.String, ElementNullable: true}, Required: true},
		},
		TableSettings: map[string]string{"index_granularity": "8192", "enable_mixed_granularity_parts": "1"}}
	got, err := CreateTableSQL("local", tbl)
	if err != nil {
		t.Fatal(err)
	}
	want := "CREATE TABLE IF NOT EXISTS `local`.`Foo`\n(\n  `id` String NOT NULL,\n  `ts` DateTime('UTC') NOT NULL,\n" +
		"  `note` Nullable(String),\n  `tags` Array(Nullable(String)) NOT NULL\n)\nENGINE = MergeTree\nPRIMARY KEY (`id`)\n" +
		"ORDER BY (`id`, `ts`)\nSETTINGS enable_mixed_granularity_parts = 1, index_granularity = 8192"
	if got != want {
		t.Fatalf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestCreateTableWithoutOrderByIsRefusedWithAHint(t *testing.T) {
	tbl := &infra.Table{Name: "NoKey", Engine: infra.MergeTree, Columns: []infra.Column{{Name: "a", DataType: infra.String, Required: true}}}
	if _, err := CreateTableSQL("local", tbl); err == nil {
		t.Fatal("want an error for a MergeTree table with no ORDER BY")
	}
}

func TestParseTypeIsTheInverseOfTypeSQL(t *testing.T) {
	for _, tc := range []struct {
		col infra.Column
	}{
		{infra.Column{DataType: infra.String, Required: true}},
		{infra.Column{DataType: infra.String}},
		{infra.Column{DataType: infra.Int32, Required: true}},
		{infra.Column{DataType: infra.DateTime, Required: true}},
		{infra.Column{DataType: infra.DateTime64{Precision: 6}, Required: true}},
		{infra.Column{DataType: infra.Date, Required: true}},
		{infra.Column{DataType: infra.Date16, Required: true}},
		{infra.Column{DataType: infra.Decimal{Precision: 12, Scale: 3}}},
		{infra.Column{DataType: infra.Array{Element: infra.Float64, ElementNullable: true}, Required: true}},
		{infra.Column{DataType: infra.MapType{Key: infra.String, Value: infra.Int64}, Required: true}},
		{infra.Column{DataType: infra.FixedString{Length: 16}, Required: true}},
		{infra.Column{DataType: infra.String, Required: true, Annotations: []infra.Annotation{{Key: "LowCardinality", Value: []byte("true")}}}},
	} {
		sql, err := columnTypeSQL(tc.col)
		if err != nil {
			t.Fatal(err)
		}
		p, err := ParseType(sql)
		if err != nil {
			t.Fatalf("ParseType(%q): %v", sql, err)
		}
		if infra.TypeKey(p.Type) != infra.TypeKey(tc.col.DataType) || p.Nullable == tc.col.Required || p.LowCardinality != tc.col.HasAnnotation("LowCardinality") {
			t.Errorf("%s read back as %+v, want %s required=%v", sql, p, tc.col.DataType, tc.col.Required)
		}
	}
}

// readColumn reads a column of ClickHouse type typ back as the reality
// check does (ToInfra: type, nullability, LowCardinality, aggregate
// annotation); nil when the type does not read.
func readColumn(typ string) *infra.Column {
	t := (&LiveTable{Name: "t", Columns: []TableColumn{{Name: "c", Type: typ}}}).ToInfra()
	if t.Columns == nil {
		return nil
	}
	return &t.Columns[0]
}

// FuzzParseType: a type that reads back as a column renders (columnTypeSQL,
// TypeSQL for the type itself) to DDL that reads back as the same column,
// and rendering it again gives the same text; nothing panics.
func FuzzParseType(f *testing.F) {
	for _, s := range []string{"Nullable(String)", "Array(LowCardinality(Nullable(String)))", "Map(String, Array(Int64))",
		"DateTime64(3, 'UTC')", "Decimal(10, 2)", "Tuple(a String)", "Enum8('a' = 1)", "LowCardinality(Nullable(String))",
		"Nested(a String, b Nullable(Int32))", "JSON(max_dynamic_paths=3, a.b UInt32, SKIP c, SKIP REGEXP 'x.*')",
		"SimpleAggregateFunction(sum, UInt64)", "AggregateFunction(uniq, String, Nullable(Int8))", "Enum16('it''s' = -1, 'b\\'c' = 2)",
		"Tuple(`a b` Array(Nullable(Float64)), c Map(String, Nullable(Int8)))", "Decimal64(4)", "FixedString(16)", "Array(Array(UUID))"} {
		f.Add(s)
	}
	roundTrip := func(t *testing.T, from string, col infra.Column) {
		t.Helper()
		ddl, err := columnTypeSQL(col)
		if err != nil {
			return // a type moose-dev reads but cannot write (BigInt, ...)
		}
		back := readColumn(ddl)
		if back == nil {
			t.Fatalf("%q reads as %s, renders as %q, which does not read back", from, mustJSON(t, col), ddl)
		}
		if a, b := mustJSON(t, col), mustJSON(t, *back); a != b {
			t.Fatalf("%q reads as\n  %s\nrenders as %q, which reads as\n  %s", from, a, ddl, b)
		}
		if again, err := columnTypeSQL(*back); err != nil || again != ddl {
			t.Fatalf("%q renders as %q, then as %q (%v)", from, ddl, again, err)
		}
	}
	f.Fuzz(func(t *testing.T, s string) {
		col := readColumn(s)
		if !utf8.ValidString(s) { // the state is JSON: text is UTF-8
			return
		}
		if col != nil {
			roundTrip(t, s, *col)
		}
		// and any text is a name or label that survives the trip
		one := int64(1)
		for _, typ := range []infra.ColumnType{
			infra.NamedTuple{Fields: []infra.TupleField{{Name: s, Type: infra.String}, {Name: "n", Type: infra.Nullable{Inner: infra.Int8}}}},
			infra.Nested{Columns: []infra.Column{{Name: s, DataType: infra.Int32, Required: true}, {Name: "n", DataType: infra.String}}},
			infra.Enum{Values: []infra.EnumMember{{Name: s, Value: infra.EnumValue{Int: &one}}}},
			infra.JSONOptions{SkipRegexps: []string{s}},
		} {
			roundTrip(t, fmt.Sprintf("%s named %q", typ, s), infra.Column{Name: "c", DataType: typ, Required: true})
		}
	})
}

func mustJSON(t *testing.T, c infra.Column) string {
	t.Helper()
	b, err := c.MarshalJSON()
	if err != nil {
		t.Fatalf("column %+v does not marshal: %v", c, err)
	}
	return string(b)
}

func TestParseURL(t *testing.T) {
	cfg, err := ParseURL("http://panda:p%40ss@127.0.0.1:18123/local")
	if err != nil || cfg.Addr != "127.0.0.1:18123" || cfg.User != "panda" || cfg.Password != "p@ss" || cfg.Database != "local" {
		t.Fatalf("%+v %v", cfg, err)
	}
	if cfg, _ := ParseURL("http://h/db"); cfg.Addr != "h:8123" || cfg.User != "default" {
		t.Fatalf("defaults: %+v", cfg)
	}
	for _, tc := range []struct {
		url  string
		want Config
	}{
		{"clickhouse://u:pw@h:9000/db", Config{Addr: "h:9000", User: "u", Password: "pw", Database: "db", Native: true}},
		{"clickhouse://h/db", Config{Addr: "h:9000", User: "default", Database: "db", Native: true}},
		{"clickhouse://h/db?secure=true", Config{Addr: "h:9440", User: "default", Database: "db", Native: true, TLS: true}},
		{"https://u:pw@h/db", Config{Addr: "h:8443", User: "u", Password: "pw", Database: "db", TLS: true}},
		{"http://[::1]/db", Config{Addr: "[::1]:8123", User: "default", Database: "db"}}, // found by FuzzParseURL
	} {
		if got, err := ParseURL(tc.url); err != nil || got != tc.want {
			t.Errorf("ParseURL(%q) = %+v, %v; want %+v", tc.url, got, err, tc.want)
		}
	}
	if _, err := ParseURL("http:///db"); err == nil {
		t.Error("a URL without a host was accepted")
	}
	for _, bad := range []string{"http://u:secret@h:99999/db", "clickhouse://h:0/db"} {
		if _, err := ParseURL(bad); err == nil || !strings.Contains(err.Error(), "is not a port (1-65535)") || strings.Contains(err.Error(), "secret") {
			t.Errorf("%s: %v", bad, err)
		}
	}
	_, err = ParseURL("postgres://u:secret@h:5432/db")
	if err == nil || strings.Contains(err.Error(), "secret") {
		t.Fatalf("other schemes are refused without showing the password: %v", err)
	}
}

// ParseURL never panics, and a URL it accepts names an address with a port
// and never carries a password into an error.
func FuzzParseURL(f *testing.F) {
	for _, s := range []string{"http://u:p@h:8123/db", "https://h/db", "clickhouse://u@h/db?secure=true", "postgres://u:secret@h/db", "http://[::1]/x", "::"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		cfg, err := ParseURL(raw)
		if err != nil {
			if u, perr := url.Parse(raw); perr == nil && u.User != nil {
				if pw, ok := u.User.Password(); ok && len(pw) > 3 && strings.Contains(err.Error(), pw) {
					t.Fatalf("error shows the password: %v", err)
				}
			}
			return
		}
		if _, _, err := net.SplitHostPort(cfg.Addr); err != nil {
			t.Fatalf("accepted %q with address %q: %v", raw, cfg.Addr, err)
		}
	})
}

// The Replicated engines' Keeper arguments, as upstream's
// build_replication_params: explicit ones when given; none on a cluster
// (ON CLUSTER: the server's {uuid} defaults) or in production; table-based
// ones in dev without a cluster; one without the other is an error.
func TestReplicatedEngineArgumentsByTarget(t *testing.T) {
	cluster := "main"
	tbl := func(params map[string]any, cl *string) *infra.Table {
		return &infra.Table{Name: "R", Engine: infra.Engine{Name: "ReplicatedReplacingMergeTree", Params: params}, ClusterName: cl,
			OrderBy: infra.OrderBy{Fields: []string{"id"}}, Columns: []infra.Column{{Name: "id", DataType: infra.String, Required: true}}}
	}
	explicit := map[string]any{"keeper_path": "/ch/{shard}/r", "replica_name": "{replica}"}
	for _, c := range []struct {
		name   string
		t      *infra.Table
		dev    bool
		engine string
	}{
		{"production, no arguments", tbl(nil, nil), false, "ENGINE = ReplicatedReplacingMergeTree()\n"},
		{"dev, no cluster", tbl(nil, nil), true, "ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{database}/{shard}/R', '{replica}')\n"},
		{"dev, on a cluster", tbl(nil, &cluster), true, "ENGINE = ReplicatedReplacingMergeTree()\n"},
		{"explicit, dev", tbl(explicit, nil), true, "ENGINE = ReplicatedReplacingMergeTree('/ch/{shard}/r', '{replica}')\n"},
		{"explicit, production", tbl(explicit, nil), false, "ENGINE = ReplicatedReplacingMergeTree('/ch/{shard}/r', '{replica}')\n"},
	} {
		stmts, err := Render{DB: "local", Dev: c.dev}.Operation(infra.CreateTable{Table: c.t})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if !strings.Contains(stmts[0], c.engine) {
			t.Errorf("%s:\n%s\nwant %q", c.name, stmts[0], c.engine)
		}
		if c.t.ClusterName != nil && !strings.Contains(stmts[0], "CREATE TABLE IF NOT EXISTS `local`.`R` ON CLUSTER `main`") {
			t.Errorf("%s: no ON CLUSTER:\n%s", c.name, stmts[0])
		}
	}
	if _, err := CreateTableSQL("local", tbl(map[string]any{"keeper_path": "/x"}, nil)); err == nil ||
		!strings.Contains(err.Error(), "requires both keeper_path and replica_name, or neither") {
		t.Fatalf("a keeper path without a replica: %v", err)
	}
}

// TestReplicatedArgumentsReadBackAsTheCodeGivesThem: a Replicated table's
// Keeper path and replica read back as keeper_path and replica_name, and
// the defaults (the server's, dev's table-based path with its database
// expanded or not) as none, the parser's form of an engine without them.
func TestReplicatedArgumentsReadBackAsTheCodeGivesThem(t *testing.T) {
	none := map[string]any{"keeper_path": nil, "replica_name": nil}
	for _, c := range []struct {
		engineFull string
		want       map[string]any
	}{
		{"ReplicatedMergeTree('/clickhouse/tables/{uuid}/{shard}', '{replica}') ORDER BY id SETTINGS index_granularity = 8192", none},
		{"ReplicatedMergeTree('/clickhouse/tables/{database}/{shard}/T', '{replica}') ORDER BY id", none},
		{"ReplicatedMergeTree('/clickhouse/tables/local/{shard}/T', '{replica}') ORDER BY id", none},
		{"ReplicatedMergeTree('/k/it''s', 'r1') ORDER BY id", map[string]any{"keeper_path": "/k/it's", "replica_name": "r1"}},
		{"ReplicatedReplacingMergeTree('/k/b', '{replica}', ver) ORDER BY id", map[string]any{"keeper_path": "/k/b", "replica_name": "{replica}"}},
		{"ReplicatedMergeTree('/clickhouse/tables/other/{shard}/T', '{replica}') ORDER BY id",
			map[string]any{"keeper_path": "/clickhouse/tables/other/{shard}/T", "replica_name": "{replica}"}},
		{"ReplicatedMergeTree ORDER BY id", none},
	} {
		lt := &LiveTable{Database: "local", Name: "T", Engine: strings.Fields(c.engineFull)[0], EngineFull: c.engineFull}
		if i := strings.IndexByte(lt.Engine, '('); i > 0 {
			lt.Engine = lt.Engine[:i]
		}
		got := lt.ToInfra().Engine.Params
		if fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("%s: params %v, want %v", c.engineFull, got, c.want)
		}
	}
	if p := (&LiveTable{Name: "T", Engine: "MergeTree", EngineFull: "MergeTree ORDER BY id"}).ToInfra().Engine.Params; p != nil {
		t.Errorf("MergeTree read back with params %v", p)
	}
}

// FuzzReplicationParams: any Keeper path and replica, quoted as
// ClickHouse prints them, read back as themselves (or as none when they
// are a default), and no engine_full makes the reading fail.
func FuzzReplicationParams(f *testing.F) {
	f.Add("/k/b", "r1", " ORDER BY id")
	f.Add("/clickhouse/tables/{uuid}/{shard}", "{replica}", "")
	f.Add("it's", "a\\b", " SETTINGS x = '('")
	f.Fuzz(func(t *testing.T, path, replica, tail string) {
		replicationParams("local", "T", tail) // arbitrary text: no panic
		got := replicationParams("local", "T", "ReplicatedMergeTree("+QuoteString(path)+", "+QuoteString(replica)+")"+tail)
		if got["keeper_path"] == nil {
			dev, _ := DevReplicationArgs("T")
			if replica != "{replica}" || path != "/clickhouse/tables/{uuid}/{shard}" && path != dev && path != strings.ReplaceAll(dev, "{database}", "local") {
				t.Fatalf("(%q, %q) read back as defaults", path, replica)
			}
			return
		}
		if got["keeper_path"] != path || got["replica_name"] != replica {
			t.Fatalf("(%q, %q) read back as %v", path, replica, got)
		}
	})
}

// TestARunOfCreatesIsMergeTreeTablesOfDistinctNames: the CREATE TABLEs
// sent at once are MergeTree-family tables, each named once; an engine
// that may name another table, a second create of a name, or another
// operation ends the run.
func TestARunOfCreatesIsMergeTreeTablesOfDistinctNames(t *testing.T) {
	create := func(name, engine string) infra.Operation {
		return infra.CreateTable{Table: &infra.Table{Name: name, Engine: infra.Engine{Name: engine}}}
	}
	for _, c := range []struct {
		ops  []infra.Operation
		want int
	}{
		{[]infra.Operation{create("a", "MergeTree"), create("b", "ReplacingMergeTree"), create("c", "")}, 3},
		{[]infra.Operation{create("a", "MergeTree"), create("buf", "Buffer"), create("c", "MergeTree")}, 1},
		{[]infra.Operation{create("a", "MergeTree"), create("a", "MergeTree")}, 1},
		{[]infra.Operation{create("a", "MergeTree"), infra.DropTable{Table: "x"}, create("c", "MergeTree")}, 1},
		{[]infra.Operation{infra.DropTable{Table: "x"}}, 0},
	} {
		if got := createRun(c.ops, "local"); got != c.want {
			t.Errorf("createRun = %d, want %d for %v", got, c.want, c.ops)
		}
	}
}
