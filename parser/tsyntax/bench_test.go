package tsyntax

import (
	"strconv"
	"strings"
	"testing"
)

// benchSource generates n interfaces of 20 fields and n table lines:
// `export const tN = new OlapTable<IN>("tN", {orderByFields: ["a"]})`.
func benchSource(n int) string {
	var b strings.Builder
	b.WriteString("import { OlapTable, Key, DateTime } from \"@514labs/moose-lib\";\n\n")
	types := []string{"string", "number", "Key<string>", "DateTime", "boolean", "string[]", "number | null", "Record<string, number>"}
	for i := 0; i < n; i++ {
		b.WriteString("/** Model " + strconv.Itoa(i) + ". */\nexport interface I" + strconv.Itoa(i) + " {\n")
		for j := 0; j < 20; j++ {
			if j%5 == 0 {
				b.WriteString("  /** The field number " + strconv.Itoa(j) + ". */\n")
			}
			b.WriteString("  field" + strconv.Itoa(j))
			if j%7 == 6 {
				b.WriteString("?")
			}
			b.WriteString(": " + types[j%len(types)] + ";\n")
		}
		b.WriteString("}\n\n")
	}
	for i := 0; i < n; i++ {
		s := strconv.Itoa(i)
		b.WriteString("export const t" + s + " = new OlapTable<I" + s + ">(\"t" + s + "\", {orderByFields: [\"a\"]});\n")
	}
	return b.String()
}

// BenchmarkParse parses 1,000 interfaces of 20 fields and 1,000 OlapTable
// lines (about 25,000 lines); ns/line is reported besides ns/op.
func BenchmarkParse(b *testing.B) {
	src := []byte(benchSource(1000))
	lines := strings.Count(string(src), "\n")
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Parse(src); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(lines), "ns/line")
}

// TestBenchSourceParses keeps the benchmark's input honest: it parses into
// 1,000 interfaces of 20 documented-or-not fields and 1,000 tables.
func TestBenchSourceParses(t *testing.T) {
	f := mustParse(t, benchSource(1000))
	ifaces, tables, docs := 0, 0, 0
	for _, s := range f.Stmts {
		ed, ok := s.(*ExportDecl)
		if !ok {
			continue
		}
		switch d := ed.Decl.(type) {
		case *InterfaceDecl:
			ifaces++
			if len(d.Members) != 20 {
				t.Fatalf("%s has %d members", d.Name, len(d.Members))
			}
			for _, m := range d.Members {
				if m.(*PropSig).Doc != "" {
					docs++
				}
			}
		case *VarDecl:
			if nw, ok := d.Decls[0].Init.(*New); ok && len(nw.TypeArgs) == 1 && len(nw.Args) == 2 {
				tables++
			}
		}
	}
	if ifaces != 1000 || tables != 1000 || docs != 4000 {
		t.Errorf("%d interfaces, %d tables, %d documented fields; want 1000, 1000, 4000", ifaces, tables, docs)
	}
}
