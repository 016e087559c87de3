package parser

import (
	"fmt"
	"strings"
	"testing"
)

// ttBenchProject is 1,000 models of 20 fields over 50 files, the issue's
// benchmark shape: scalars, sized and tagged numbers, markers, optional
// fields, arrays, a nested interface and an enum from another file.
func ttBenchProject(b *testing.B) (*ttTestProject, []ttTestResource) {
	files := map[string]string{
		"app/shared.ts": `import { Key } from "@514labs/moose-lib";
export enum Status { Active = "active", Inactive = "inactive" }
export interface Geo { lat: number; lon: number; label?: string }
export interface Base { id: Key<string>; createdAt: Date }
`,
	}
	for f := 0; f < 50; f++ {
		var sb strings.Builder
		sb.WriteString(`import { OlapTable, Key, Int32, UInt64, DateTime64, LowCardinality, ClickHouseDefault, Decimal } from "@514labs/moose-lib";
import { tags } from "typia";
import { Status, Geo, Base } from "../shared";
`)
		for m := 0; m < 20; m++ {
			n := fmt.Sprintf("M%d_%d", f, m)
			fmt.Fprintf(&sb, `export interface %s extends Base {
  /** the name */
  name: string;
  count: Int32;
  total: UInt64 & ClickHouseDefault<"0">;
  ratio: number;
  ok: boolean;
  at: DateTime64<3>;
  kind: "a" | "b" | "c";
  region: string & LowCardinality;
  uuid: string & tags.Format<"uuid">;
  price: Decimal<10, 2>;
  status: Status;
  geo: Geo;
  points: Geo[];
  labels?: string[];
  note?: string | null;
  meta: Record<string, any>;
  scores: Record<string, number>;
  day: string & tags.Format<"date">;
}
export const t%s = new OlapTable<%s>(%q);
`, n, n, n, n)
		}
		files[fmt.Sprintf("app/models/m%d.ts", f)] = sb.String()
	}
	proj, err := newTTTestProject(files)
	if err != nil {
		b.Fatal(err)
	}
	return proj, proj.resources()
}

// BenchmarkTSColumns converts every model of the benchmark project once
// per iteration with one reader (as a load does: the type side of a cold
// load; parsing excluded).
func BenchmarkTSColumns(b *testing.B) {
	_, res := ttBenchProject(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		tr := newTSTypeReader()
		for _, r := range res {
			cols, err := tr.columns(ttTestScope{r.mod}, r.typ, false)
			if err != nil {
				b.Fatal(err)
			}
			if len(cols) != 20 {
				b.Fatalf("%s: %d columns", r.name, len(cols))
			}
		}
	}
}

// BenchmarkTSColumnsFresh is the same with a fresh reader per model
// (tsColumns), which re-reads the shared declarations each time.
func BenchmarkTSColumnsFresh(b *testing.B) {
	_, res := ttBenchProject(b)
	if len(res) != 1000 {
		b.Fatalf("%d resources", len(res))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, r := range res {
			cols, err := tsColumns(ttTestScope{r.mod}, r.typ)
			if err != nil {
				b.Fatal(err)
			}
			if len(cols) != 20 {
				b.Fatalf("%s: %d columns", r.name, len(cols))
			}
		}
	}
}
