package planfile

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/moose-dev/moose-dev/infra"
)

// quotingCases: a string and the line serde_yaml 0.9.34 writes for it as a
// settings value (derived from its src/ser.rs and de.rs and libyaml's
// emitter rules; see quoting.go).
var quotingCases = []struct{ key, value, line string }{
	{"int", "8192", "int: '8192'"},
	{"int_signed", "+12", "int_signed: '+12'"},
	{"int_negative", "-7", "int_negative: '-7'"},
	{"int_hex", "0x1F", "int_hex: '0x1F'"},
	{"int_hex_upper_prefix", "0X1F", "int_hex_upper_prefix: 0X1F"},
	{"int_octal", "0o17", "int_octal: '0o17'"},
	{"int_binary_negative", "-0b101", "int_binary_negative: '-0b101'"},
	{"int_huge", "340282366920938463463374607431768211456", "int_huge: '340282366920938463463374607431768211456'"},
	{"int_underscore", "1_000", "int_underscore: 1_000"},
	{"leading_zero", "0123", "leading_zero: '0123'"},
	{"float", "0.01", "float: '0.01'"},
	{"float_exp", "1e5", "float_exp: '1e5'"},
	{"float_dot_first", ".5", "float_dot_first: '.5'"},
	{"float_dot_last", "1.", "float_dot_last: '1.'"},
	{"float_inf", ".inf", "float_inf: '.inf'"},
	{"float_neg_inf", "-.INF", "float_neg_inf: '-.INF'"},
	{"float_nan", ".NaN", "float_nan: '.NaN'"},
	{"word_inf", "inf", "word_inf: inf"},
	{"word_nan", "NaN", "word_nan: NaN"},
	{"empty", "", "empty: ''"},
	{"true", "true", "'true': 'true'"},
	{"True", "True", "'True': 'True'"},
	{"false", "false", "'false': 'false'"},
	{"FALSE", "FALSE", "'FALSE': 'FALSE'"},
	{"null", "null", "'null': 'null'"},
	{"tilde", "~", "tilde: '~'"},
	{"yes", "yes", "yes: yes"},
	{"no", "no", "no: no"},
	{"on", "on", "on: on"},
	{"off", "off", "off: off"},
	{"y", "y", "y: y"},
	{"date", "2026-01-01", "date: 2026-01-01"},
	{"colon_space", "a: b", "colon_space: 'a: b'"},
	{"colon_end", "key:", "colon_end: 'key:'"},
	{"colon_inside", "a:b", "colon_inside: a:b"},
	{"dash_space", "- x", "dash_space: '- x'"},
	{"dash_word", "-x", "dash_word: -x"},
	{"hash_comment", "x #y", "hash_comment: 'x #y'"},
	{"hash_first", "#x", "hash_first: '#x'"},
	{"quote_inside", "it's", "quote_inside: it's"},
	{"quote_first", "'q'", "quote_first: '''q'''"},
	{"trailing_space", "trailing ", "trailing_space: 'trailing '"},
	{"leading_space", " leading", "leading_space: ' leading'"},
	{"unicode", "héllo wörld 日本語", "unicode: héllo wörld 日本語"},
	{"unicode_astral", "emoji 😀", "unicode_astral: emoji 😀"},
	{"control", "bell\a", `control: "bell\a"`},
	{"control_astral", "😀\x01", `control_astral: "😀\x01"`},
	{"tab", "tab\there", `tab: "tab\there"`},
	{"tab_multiline", "a\tb\nc", `tab_multiline: "a\tb\nc"`},
	{"carriage_return", "line\r", `carriage_return: "line\r"`},
	{"multiline", "SELECT 1\nFROM t", "multiline: |-\n        SELECT 1\n        FROM t"},
	{"multiline_trailing_space", "SELECT 1 \nFROM t", `multiline_trailing_space: "SELECT 1 \nFROM t"`},
	{"8192", "key", "'8192': key"},
}

func quotingPlan() *Plan {
	after := map[string]string{}
	for _, c := range quotingCases {
		after[c.key] = c.value
	}
	return &Plan{CreatedAt: time.Date(2026, 11, 22, 5, 35, 31, 668353000, time.UTC), Operations: []infra.Operation{
		infra.ModifyTableSettings{Table: "8192", BeforeSettings: map[string]string{"": "on"}, AfterSettings: after},
		infra.RawSQL{Description: "", SQL: []string{"SELECT 'a: b'", "-- on", "1"}},
	}}
}

func TestPlanYAMLQuotingGolden(t *testing.T) {
	got, err := quotingPlan().MarshalYAML()
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		os.WriteFile("testdata/quoting.yaml", got, 0o644)
	}
	want, err := os.ReadFile("testdata/quoting.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Errorf("plan.yaml differs from testdata/quoting.yaml:\n%s", got)
	}
	for _, c := range quotingCases {
		if !strings.Contains(string(got), "\n      "+c.line+"\n") {
			t.Errorf("%q: want the line %q", c.value, c.line)
		}
	}
	for _, must := range []string{"\n    before_settings:\n      '': on\n", "\n    table: '8192'\n", "\n    description: ''\n", "\n    - -- on\n", "\n    - '1'\n", "\n    - 'SELECT ''a: b'''\n"} {
		if !strings.Contains(string(got), must) {
			t.Errorf("plan.yaml lacks %q", must)
		}
	}
	checkUpstreamLayout(t, got)

	// every string reads back as the same string, "8192" not as a number
	back, err := Unmarshal(got)
	if err != nil {
		t.Fatal(err)
	}
	wantJSON, _ := quotingPlan().MarshalJSON()
	if j, _ := back.MarshalJSON(); string(j) != string(wantJSON) {
		t.Errorf("read back as a different plan:\n%s", j)
	}
	if again, _ := back.MarshalYAML(); string(again) != string(got) {
		t.Errorf("YAML changed on a round trip:\n%s", again)
	}
}

// Plans quoted any other way (moose-dev's earlier double quotes, no quotes
// where YAML allows) read as the same plan.
func TestAnyQuotingReads(t *testing.T) {
	for _, text := range []string{
		"operations:\n- ModifyTableSettings:\n    table: \"8192\"\n    before_settings: {}\n    after_settings: {index_granularity: \"8192\", a: \"on\", b: \"\"}\n",
		"operations:\n- ModifyTableSettings:\n    table: '8192'\n    before_settings: {}\n    after_settings: {index_granularity: '8192', a: on, b: ''}\n",
	} {
		p, err := Unmarshal([]byte(text))
		if err != nil {
			t.Fatal(err)
		}
		op := p.Operations[0].(infra.ModifyTableSettings)
		if op.Table != "8192" || op.AfterSettings["index_granularity"] != "8192" || op.AfterSettings["a"] != "on" || op.AfterSettings["b"] != "" {
			t.Errorf("%q read as %+v", text, op)
		}
	}
}

// Aliases cannot multiply a small file into a huge plan.
func TestAliasesAreBounded(t *testing.T) {
	text := "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
	_, err := Unmarshal([]byte("operations:\n- RawSql:\n    description: d\n    sql: [SELECT 1]\n    x: {" + strings.ReplaceAll(strings.TrimSuffix(text, "\n"), "\n", ", ") + "}\n"))
	if err == nil || !strings.Contains(err.Error(), "aliasing") {
		t.Fatalf("got %v", err)
	}
}
