package dataplane

import (
	"strings"
	"testing"

	"github.com/moose-dev/moose-dev/infra"
)

func ptr[T any](v T) *T { return &v }

func orderModel() *Model {
	cols := []infra.Column{
		{Name: "id", DataType: infra.String, Required: true},
		{Name: "qty", DataType: infra.UInt8, Required: true},
		{Name: "amount", DataType: infra.Float64, Required: true},
		{Name: "price", DataType: infra.Decimal{Precision: 10, Scale: 2}, Required: false},
		{Name: "status", DataType: infra.Enum{Name: "Status", Values: []infra.EnumMember{
			{Name: "NEW", Value: infra.EnumValue{Str: ptr("new")}}, {Name: "DONE", Value: infra.EnumValue{Str: ptr("done")}}}}, Required: false},
		{Name: "level", DataType: infra.Enum{Name: "Level", Values: []infra.EnumMember{
			{Name: "LOW", Value: infra.EnumValue{Int: ptr(int64(1))}}, {Name: "HIGH", Value: infra.EnumValue{Int: ptr(int64(2))}}}}, Required: false},
		{Name: "at", DataType: infra.DateTime, Required: false},
		{Name: "day", DataType: infra.Date, Required: false},
		{Name: "uid", DataType: infra.UUID, Required: false},
		{Name: "ip", DataType: infra.IPv4, Required: false},
		{Name: "tags", DataType: infra.Array{Element: infra.Int32}, Required: true, Default: ptr("[]")},
		{Name: "addr", DataType: infra.Nested{Name: "Addr", Columns: []infra.Column{
			{Name: "city", DataType: infra.String, Required: true}, {Name: "zip", DataType: infra.String, Required: false}}}, Required: false},
		{Name: "attrs", DataType: infra.MapType{Key: infra.UInt16, Value: infra.String}, Required: false},
		{Name: "code", DataType: infra.FixedString{Length: 3}, Required: false},
		{Name: "loc", DataType: infra.Scalar("Point"), Required: false},
		{Name: "doubled", DataType: infra.Int64, Required: true, Materialized: ptr("qty * 2")},
		{Name: "ok", DataType: infra.Boolean, Required: false},
	}
	return NewModel(cols, false)
}

// Upstream's messages (validate_passthrough.rs, serde and serde_json's
// wording and positions) for each kind of refusal.
func TestRecordsRefusalsInUpstreamsWords(t *testing.T) {
	m := orderModel()
	base := `"id":"a","qty":1,"amount":2.5`
	cases := []struct{ body, want string }{
		{`{"qty":1,"amount":2}`, `Missing fields: id at line 1 column 20`},
		{`{"id":"a"}`, `Missing fields: qty, amount at line 1 column 10`},
		{`{"id":5,"qty":1,"amount":2}`, "invalid type: integer `5`, expected a string value at id at line 1 column 7"},
		{`{"id":"a","qty":"x","amount":2}`, `invalid type: string "x", expected an integer value at qty at line 1 column 19`},
		{`{"id":"a","qty":1.5,"amount":2}`, `Integer out of range for UInt8 at qty: 1.5 at line 1 column 19`},
		{`{"id":1.5,"qty":1,"amount":2}`, `invalid type: map, expected a string value at id at line 1 column 9`},
		{`{` + base + `,"at":1700000000.5}`, `invalid type: map, expected a datetime value at at at line 1 column 48`},
		{`{` + base + `,"at":1700000000}`, "invalid type: integer `1700000000`, expected a datetime value at at at line 1 column 46"},
		{`{"id":"a","qty":300,"amount":2}`, `Integer out of range for UInt8 at qty: 300 at line 1 column 19`},
		{`{"id":"a","qty":-1,"amount":2}`, `Negative value for UInt8 at qty at line 1 column 18`},
		{`{"id":null,"qty":1,"amount":2}`, `Required value at id, but is none at line 1 column 10`},
		{`{` + base + `,"status":"pending"}`, `Invalid enum value at status: pending at line 1 column 49`},
		{`{` + base + `,"level":7}`, `Invalid enum value: 7 at line 1 column 40`},
		{`{` + base + `,"at":"2024-01-01"}`, `Invalid date format at at at line 1 column 48`},
		{`{` + base + `,"day":"2024-13-01"}`, `Invalid date format at day at line 1 column 49`},
		{`{` + base + `,"uid":"nope"}`, `invalid type: string "nope", expected a UUID at uid at line 1 column 43`},
		{`{` + base + `,"ip":"300.1.1.1"}`, `Invalid IPv4 format at ip at line 1 column 47`},
		{`{` + base + `,"price":"1.2.3"}`, `Invalid decimal format at price at line 1 column 46`},
		{`{` + base + `,"tags":[1,"x"]}`, `invalid type: string "x", expected an integer value at tags.1 at line 1 column 44`},
		{`{` + base + `,"tags":"x"}`, `invalid type: string "x", expected an array value at tags at line 1 column 41`},
		{`{` + base + `,"addr":{"zip":"1"}}`, `Missing fields: addr.city at line 1 column 49`},
		{`{` + base + `,"attrs":{"-1":"a"}}`, `Invalid unsigned integer key at line 1 column 48`},
		{`{` + base + `,"code":"abcd"}`, `FixedString(3) value exceeds maximum length: got 4 bytes, max 3 bytes at code at line 1 column 44`},
		{`{` + base + `,"loc":[1]}`, `Invalid tuple length at loc: expected 2 elements at line 1 column 40`},
		{`{` + base + `,"ok":"yes"}`, `invalid type: string "yes", expected a boolean value at ok at line 1 column 41`},
		{`[{` + base + `},5]`, "invalid type: integer `5`, expected an object at line 1 column 34"},
		{`"x"`, `invalid type: string "x", expected an array at line 1 column 3`},
		{`{"id":"a",}`, `trailing comma at line 1 column 11`},
		{`{"id":"a"`, `EOF while parsing an object at line 1 column 9`},
		{"{\"id\":\"a\"}\n x", `trailing characters at line 2 column 2`},
	}
	for _, c := range cases {
		_, err := m.Records([]byte(c.body))
		if err == nil {
			t.Errorf("%s: accepted", c.body)
			continue
		}
		if err.Msg != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.body, err.Msg, c.want)
		}
	}
}

// What is written for a valid record: the model's fields in the order
// sent, normalised as upstream's passthrough writes them.
func TestRecordsAreWrittenNormalised(t *testing.T) {
	m := orderModel()
	cases := []struct{ body, want string }{
		{`{"id":"a","qty":"7","amount":"2","extra":1,"doubled":5}`, `{"id":"a","qty":7,"amount":2.0}`},
		{`{"id":"a","qty":1,"amount":1e3,"price":12.50}`, `{"id":"a","qty":1,"amount":1e3,"price":12.50}`},
		{`{"id":"a","qty":1,"amount":2,"status":"done","level":"HIGH","level2":1}`, `{"id":"a","qty":1,"amount":2,"status":"done","level":"HIGH"}`},
		{`{"id":"a","qty":1,"amount":2,"tags":[1,null],"addr":{"city":"x","more":1},"attrs":{"8":"b"},"loc":[1,2.5]}`,
			`{"id":"a","qty":1,"amount":2,"tags":[1,null],"addr":{"city":"x"},"attrs":{"8":"b"},"loc":[1,2.5]}`},
		{`{"id":"é\"\n","qty":1,"amount":2,"at":"2024-01-01 10:00:00+02:00","uid":"{67E55044-10B1-426F-9247-BB680E5FE0C8}"}`,
			`{"id":"é\"\n","qty":1,"amount":2,"at":"2024-01-01 10:00:00+02:00","uid":"{67E55044-10B1-426F-9247-BB680E5FE0C8}"}`},
	}
	for _, c := range cases {
		recs, err := m.Records([]byte(c.body))
		if err != nil {
			t.Errorf("%s: %v", c.body, err)
			continue
		}
		if len(recs) != 1 || string(recs[0]) != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.body, recs, c.want)
		}
	}
	recs, err := m.Records([]byte(` [ {"id":"a","qty":1,"amount":2}, {"id":"b","qty":2,"amount":3} ] `))
	if err != nil || len(recs) != 2 || string(recs[1]) != `{"id":"b","qty":2,"amount":3}` {
		t.Fatalf("array body: %q %v", recs, err)
	}
	if recs, err := m.Records([]byte(`[]`)); err != nil || len(recs) != 0 {
		t.Fatalf("empty array: %q %v", recs, err)
	}
	extra := NewModel(m.cols, true)
	recs, err = extra.Records([]byte(`{"id":"a","qty":1,"amount":2,"extra":{"k": [1, 2]}}`))
	if err != nil || string(recs[0]) != `{"id":"a","qty":1,"amount":2,"extra":{"k":[1,2]}}` {
		t.Fatalf("extra fields allowed: %q %v", recs, err)
	}
}

func TestDeadLetterRecordShape(t *testing.T) {
	got := string(DeadLetter([]byte(`{"a": 1}`), "bad", "ValidationError", "api", mustTime(t, "2026-01-02T03:04:05.123Z"),
		deadLetterExtra{"requestBody", `{"a": 1}`}, deadLetterExtra{"topic", "Order"}))
	want := `{"originalRecord":{"a":1},"errorMessage":"bad","errorType":"ValidationError","failedAt":"2026-01-02T03:04:05.123+00:00","source":"api","requestBody":"{\"a\": 1}","topic":"Order"}`
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	if objs := Objects([]byte(`[{"a":1}, 2, {"b": [3]}]`)); len(objs) != 2 || !strings.Contains(string(objs[1]), `{"b":[3]}`) {
		t.Fatalf("objects: %q", objs)
	}
}
