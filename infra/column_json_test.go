package infra

import (
	"bytes"
	"encoding/json"
	"testing"
)

// reflectColumnJSON is the column as encoding/json writes columnJSON: the
// reference Column.MarshalJSON's hand-written appends must equal.
func reflectColumnJSON(t *testing.T, c Column) []byte {
	t.Helper()
	dt, err := MarshalColumnType(c.DataType)
	if err != nil {
		t.Fatal(err)
	}
	ann := c.Annotations
	if ann == nil {
		ann = []Annotation{}
	}
	b, err := json.Marshal(columnJSON{c.Name, dt, c.Required, c.Unique, c.PrimaryKey, c.Default, ann,
		c.Comment, c.TTL, c.Codec, c.Materialized, c.Alias})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// FuzzColumnJSON checks the hand-written column encoding against
// encoding/json for any strings (quotes, control bytes, HTML characters,
// invalid UTF-8), any flags and optional fields, and non-scalar types.
func FuzzColumnJSON(f *testing.F) {
	f.Add("id", "x", "", uint8(0), uint16(0))
	f.Add("a<b>&\"c\\", "'é' \u2028", "\x00\xff", uint8(7), uint16(0xffff))
	f.Add("", "", "", uint8(3), uint16(0x155))
	f.Add("&", "\u2028", "\t", uint8(1), uint16(0x7f8))
	f.Fuzz(func(t *testing.T, name, s1, s2 string, flags uint8, opt uint16) {
		types := []ColumnType{String, Scalar(s1), Nullable{Inner: Int64}, Array{Element: String, ElementNullable: true},
			FixedString{Length: 16}, MapType{Key: String, Value: Float64}}
		c := Column{Name: name, DataType: types[int(opt)%len(types)],
			Required: flags&1 != 0, Unique: flags&2 != 0, PrimaryKey: flags&4 != 0}
		ptrs := []**string{&c.Default, &c.Comment, &c.TTL, &c.Codec, &c.Materialized, &c.Alias}
		for i, p := range ptrs {
			if opt&(1<<(i+3)) != 0 {
				v := s1
				if i%2 == 1 {
					v = s2
				}
				*p = &v
			}
		}
		if opt&(1<<10) != 0 {
			c.Annotations = []Annotation{{Key: s2, Value: json.RawMessage(`{"a":1}`)}}
		}
		got, err := c.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		if want := reflectColumnJSON(t, c); string(got) != string(want) {
			t.Fatalf("column encoding differs from encoding/json's:\n got %s\nwant %s", got, want)
		}
	})
}

// wholeMapJSON is the map as one encoding/json Encoder writes it: the
// reference EncodeState's entry-by-entry writing must equal.
func wholeMapJSON(t *testing.T, m *Map) string {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(m); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// FuzzEncodeState: for any map read from JSON, the state written entry by
// entry is byte for byte the map encoded whole (keys with quotes, HTML
// characters, NULs and non-ASCII; nil entries; empty and missing maps).
func FuzzEncodeState(f *testing.F) {
	f.Add(`{"default_database":"local","tables":{"b<&>":{"name":"b<&>","columns":[{"name":"x","data_type":"String","required":true,"unique":false,"primary_key":false,"default":null,"annotations":[]}],"order_by":[],"engine":"MergeTree"},"a\"q":null},"topics":{"é":{"name":"é","columns":[]}}}`)
	f.Add(`{"tables":{},"topics":null}`)
	// a name holding what marks the columns' place (escaped, it cannot match)
	f.Add(`{"tables":{"t":{"name":"a\",\"columns\":null","columns":[{"name":"\"columns\":null","data_type":{"nullable":"String"},"required":false,"unique":false,"primary_key":false,"default":"<x>","annotations":[["LowCardinality",true]]}],"order_by":[],"engine":"MergeTree"}},"topics":{"p":{"version":"\"columns\":null","name":"p","columns":null}}}`)
	f.Add(`{"default_database":"a\u0000b","tables":{"\u0000t":null}}`)
	f.Fuzz(func(t *testing.T, in string) {
		m, err := UnmarshalMap([]byte(in))
		if err != nil {
			return
		}
		var b bytes.Buffer
		if err := EncodeState(&b, m); err != nil {
			if _, werr := json.Marshal(m); werr == nil {
				t.Fatalf("EncodeState failed where encoding/json does not: %v", err)
			}
			return
		}
		if want := wholeMapJSON(t, m); b.String() != want {
			t.Fatalf("entry by entry:\n%s\nwhole:\n%s", b.String(), want)
		}
	})
}
