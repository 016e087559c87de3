package parser

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/moose-dev/moose-dev/parser/tsyntax"
)

// ttCol is a compact expectation: a column's name and data_type JSON, with
// the flags that differ from a plain required column.
func ttColLine(t *testing.T, raw []byte) string {
	t.Helper()
	var c map[string]any
	if err := json.Unmarshal(raw, &c); err != nil {
		t.Fatal(err)
	}
	dt, _ := json.Marshal(c["data_type"])
	line := c["name"].(string) + " " + string(dt)
	if c["required"] == false {
		line += " optional"
	}
	if c["primary_key"] == true {
		line += " key"
	}
	for _, k := range []string{"default", "materialized", "alias", "ttl", "codec", "comment"} {
		if v, ok := c[k]; ok && v != nil {
			line += " " + k + "=" + v.(string)
		}
	}
	if a, ok := c["annotations"].([]any); ok && len(a) > 0 {
		b, _ := json.Marshal(a)
		line += " ann=" + string(b)
	}
	return line
}

func ttConvertSource(t *testing.T, files map[string]string, typ string, allowIndex bool) (string, error) {
	t.Helper()
	proj, err := newTTTestProject(files)
	if err != nil {
		t.Fatal(err)
	}
	m := proj.mods["app/index.ts"]
	f, err := tsyntax.Parse([]byte("let x: " + typ + ";"))
	if err != nil {
		t.Fatal(err)
	}
	tn := f.Stmts[0].(*tsyntax.VarDecl).Decls[0].Type
	cols, err := tsColumnsOpt(ttTestScope{m}, tn, allowIndex)
	if err != nil {
		return "", err
	}
	var lines []string
	for _, c := range cols {
		b, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, ttColLine(t, b))
	}
	return strings.Join(lines, "\n"), nil
}

// TestTSTypesRules covers rules no capture of upstream exercises; each
// expectation is reasoned from typeConvert.ts and the checker's semantics,
// as the comment of each case says.
func TestTSTypesRules(t *testing.T) {
	const head = `import { Key, Int32, UInt8, LowCardinality, ClickHouseDefault } from "@514labs/moose-lib";
import typia from "typia";
import { Format } from "typia/lib/tags";
import * as moose from "@514labs/moose-lib";
`
	cases := []struct {
		name, src, typ string
		allowIndex     bool
		want, err      string
	}{
		{name: "index signature allowed keeps the named properties (IngestApi, Stream)",
			src: `interface L { id: string; n?: number; [k: string]: any }`, typ: "L", allowIndex: true,
			want: "id \"String\"\nn \"Float64\" optional"},
		{name: "index signature refused for a table",
			src: `interface L { id: string; [k: string]: any }`, typ: "L",
			err: `app/index.ts:2:27: L has an index signature ([key: string]: any)`},
		{name: "typia's default export and typia/lib/tags reach the same tags",
			src: `interface T { a: string & typia.tags.Format<"uuid">; b: string & Format<"ipv4"> }`, typ: "T",
			want: "a \"UUID\"\nb \"IPv4\""},
		{name: "namespace import of moose-lib: markers by member name",
			src: `interface T { id: moose.Key<string>; n: moose.Int64 & moose.ClickHouseDefault<"0"> }`, typ: "T",
			want: "id \"String\" key\nn \"Int64\" default=0"},
		// the checker evaluates constant enum members: bit operations, references, concatenation
		{name: "enum members evaluated as constants",
			src: `enum F { A = 1 << 2, B = A | 1, C, D = ~0 }
enum S { X = "a" + "b", Y = ` + "`c`" + ` }
interface T { f: F; s: S }`, typ: "T",
			want: `f {"name":"F","values":[{"name":"A","value":{"Int":4}},{"name":"B","value":{"Int":5}},{"name":"C","value":{"Int":6}},{"name":"D","value":{"Int":-1}}]}` + "\n" +
				`s {"name":"S","values":[{"name":"X","value":{"String":"ab"}},{"name":"Y","value":{"String":"c"}}]}`},
		// an enum of one value is that member's literal type, named after the member
		// (captured for a string enum in enums.txtar); an empty enum is a number
		{name: "enum of one number and an empty enum",
			src: `enum One { A = 5 } enum None {} interface T { one: One; none: None }`, typ: "T",
			want: `one {"name":"A","values":[{"name":"A","value":{"Int":5}}]}` + "\n" + `none "Float64"`},
		// a template literal type over an enum's values expands to string literals
		{name: "template literal over enum values",
			src: `enum E { A = "a", B = "b" } interface T { k: ` + "`x-${E}`" + ` }`, typ: "T",
			want: `k "String" ann=[["LowCardinality",true]]`},
		// Exclude filters the union's members; one left is a plain string literal (no LowCardinality)
		{name: "Exclude down to one literal",
			src: `interface T { k: Exclude<"a" | "b", "b"> }`, typ: "T",
			want: `k "String"`},
		// distributive conditional type over a naked type parameter
		{name: "distributive conditional",
			src: `type ToArr<T> = T extends string ? T[] : never; interface T { k: ToArr<"a" | 1> }`, typ: "T",
			want: `k {"elementNullable":false,"elementType":"String"}`},
		{name: "mapped type with +? and -readonly",
			src: `interface A { a: string; b: number } interface T { m: { -readonly [K in keyof A]+?: A[K] } }`, typ: "T",
			want: `m {"columns":[{"annotations":[],"data_type":"String","default":null,"name":"a","primary_key":false,"required":false,"unique":false},{"annotations":[],"data_type":"Float64","default":null,"name":"b","primary_key":false,"required":false,"unique":false}],"jwt":false,"name":"m"}`},
		// Required removes the undefined of optionality, not an explicit null
		{name: "Required keeps an explicit null",
			src: `interface A { a?: string | null; b?: number } type T = Required<A>`, typ: "T",
			want: "a \"String\" optional\nb \"Float64\""},
		// a class: parameter properties at the constructor's place, accessors, no statics
		{name: "class members",
			src: `class C { a = 1; constructor(readonly b: string, c: number) {} static s = ""; get d(): boolean { return true } }`, typ: "C",
			want: "a \"Float64\"\nb \"String\"\nd \"Boolean\""},
		// the DateTime64 precision is read from the written reference too
		{name: "generic interface arguments substituted through extends",
			src: `interface Box<T> { v: T } interface T extends Box<Int32> { w: UInt8 }`, typ: "T",
			want: "w \"UInt8\"\nv \"Int32\""},
		{name: "an optional Key is a key that is not required",
			src: `interface T { id?: Key<string> }`, typ: "T",
			want: `id "String" optional key`},
		{name: "a parenthesised Key is not the plugin's Key wrapping",
			src: `interface T { id: (Key<string>) }`, typ: "T",
			want: `id "String"`},
		{name: "unknown name",
			src: `interface T { a: Nope }`, typ: "T",
			err: `app/index.ts:2:15: field "a": cannot find the type Nope (it is neither declared nor imported in app/index.ts)`},
		{name: "generic arity",
			src: `interface Box<T> { v: T } interface T { b: Box }`, typ: "T",
			err: `app/index.ts:2:41: field "b": Box needs 1 type argument(s)`},
		{name: "a model must be an object type",
			src: ``, typ: "string",
			err: `app/index.ts:1:8: the type of a model must be an object type (an interface, a type literal, a class), not string`},
		{name: "a library name that is not a type",
			src: `interface T { a: moose.OlapTable<T> }`, typ: "T",
			err: `field "a": OlapTable is not one of @514labs/moose-lib's types a model may use`},
		{name: "another library's types are not read",
			src: `import { Decimal as D } from "decimal.js"; interface T { a: D }`, typ: "T",
			err: `field "a": D (from "decimal.js") is not a type moose-dev can read`},
		{name: "nested error names the path",
			src: `interface G { lat: string | number } interface T { geo: G[] }`, typ: "T",
			err: `app/index.ts:2:15: field "geo.lat": a union of different types (string | number) has no ClickHouse type`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// the head's imports are on line 1, the source from line 2; the
			// type converted is parsed on its own (its own errors are at 1:8);
			// an error inside a field's type is at the field
			files := map[string]string{"app/index.ts": ttHeadInline(head) + c.src}
			got, err := ttConvertSource(t, files, c.typ, c.allowIndex)
			if c.err != "" {
				if err == nil {
					t.Fatalf("no error, want %q; got columns:\n%s", c.err, got)
				}
				if !strings.Contains(err.Error(), c.err) {
					t.Fatalf("error %q does not contain %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Fatalf("got:\n%s\nwant:\n%s", got, c.want)
			}
		})
	}
}

// ttHeadInline puts the imports on the first line, so that the source is
// line 2 with its own columns.
func ttHeadInline(head string) string {
	return strings.ReplaceAll(strings.TrimSpace(head), "\n", " ") + "\n"
}

func TestTSTypeName(t *testing.T) {
	files := map[string]string{"app/index.ts": `import { Int32 } from "@514labs/moose-lib";
interface Box<T> { v: T } type Alias = { a: string }; enum E { A } class C { x = 1 }`}
	proj, err := newTTTestProject(files)
	if err != nil {
		t.Fatal(err)
	}
	s := ttTestScope{proj.mods["app/index.ts"]}
	for typ, want := range map[string]string{"Box<number>": "Box", "Alias": "Alias", "E": "E", "C": "C",
		"(Box<string>)": "Box", "Int32": "", "{ a: string }": "", "Box<number> & { b: string }": ""} {
		f, err := tsyntax.Parse([]byte("let x: " + typ + ";"))
		if err != nil {
			t.Fatal(err)
		}
		if got := tsTypeName(s, f.Stmts[0].(*tsyntax.VarDecl).Decls[0].Type); got != want {
			t.Errorf("tsTypeName(%s) = %q, want %q", typ, got, want)
		}
	}
}
