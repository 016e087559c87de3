package dataplane

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// FuzzParseJSON: the ingest body parser never panics, accepts exactly
// what encoding/json accepts as one document, and places errors inside
// the body.
func FuzzParseJSON(f *testing.F) {
	for _, s := range []string{`{}`, `[]`, `{"a":[1,2.5e3,-0,"x\u00e9\ud83d\ude00"],"b":{"c":null,"d":true}}`, `[1,`, `{"a" 1}`, `"\q"`, `01`, `1.`, `-`, ` 7 `} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		n, err := parseJSON(b)
		if json.Valid(b) != (err == nil) {
			// refused as serde_json refuses them, where encoding/json is lenient
			if err != nil && (err.msg == "recursion limit exceeded" || strings.Contains(err.msg, "surrogate") || err.msg == "invalid unicode code point") {
				return
			}
			t.Fatalf("parseJSON(%q): err %v, but encoding/json says valid=%v", b, err, json.Valid(b))
		}
		if err != nil && (err.off < 0 || err.off > len(b)+1) {
			t.Fatalf("error offset %d outside a body of %d bytes", err.off, len(b))
		}
		if n != nil && (n.end > len(b) || n.start > n.end) {
			t.Fatalf("node span %d..%d in %d bytes", n.start, n.end, len(b))
		}
	})
}

var positionRE = regexp.MustCompile(` at line (\d+) column (\d+)$`)

// FuzzRecords: validation never panics, every refusal ends with its
// position in the body, what it writes for a valid body is JSON objects,
// and those are a fixed point of validation.
func FuzzRecords(f *testing.F) {
	for _, s := range []string{`{"id":"a","qty":1,"amount":2}`, `[{"id":"a","qty":"3","amount":"1e2","tags":[1],"attrs":{"1":"x"},"loc":[1,2]}]`, `{"at":1.5}`, `[5]`} {
		f.Add([]byte(s))
	}
	m := orderModel()
	extra := NewModel(m.cols, true)
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, model := range []*Model{m, extra} {
			recs, err := model.Records(b)
			if err != nil {
				// every refusal says where, inside the body
				m := positionRE.FindStringSubmatch(err.Msg)
				if m == nil {
					t.Fatalf("Records(%q): %q gives no position", b, err.Msg)
				}
				line, _ := strconv.Atoi(m[1])
				col, _ := strconv.Atoi(m[2])
				if line < 1 || line > bytes.Count(b, []byte("\n"))+1 || col > len(b) {
					t.Fatalf("Records(%q): %q is outside the body", b, err.Msg)
				}
				continue
			}
			for _, r := range recs {
				var v map[string]any
				if json.Unmarshal(r, &v) != nil {
					t.Fatalf("Records(%q) wrote %q, not a JSON object", b, r)
				}
				// what is written is already normal: validating it again
				// accepts it and writes it unchanged
				again, err := model.Records(r)
				if err != nil || len(again) != 1 || string(again[0]) != string(r) {
					t.Fatalf("Records(%q) wrote %q, which validates as %q (%v)", b, r, again, err)
				}
			}
		}
	})
}
