package infra

import (
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
