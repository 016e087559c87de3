// Package bench holds moose-dev's Go benchmarks; the reload-latency harness
// is the command in bench/reload. Figures are reported, never asserted.
package bench

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/moose-dev/moose-dev/differ"
	"github.com/moose-dev/moose-dev/infra"
	"github.com/moose-dev/moose-dev/parser"
)

var fieldTypes = []string{"str", "int", "float", "bool", "datetime", "date", "Optional[str]", "list[str]"}

// genProject writes a project of models x fields spread over files, each
// model with a table (and a stream too when streams).
func genProject(b *testing.B, models, fields, files int, streams ...bool) string {
	b.Helper()
	root := b.TempDir()
	app := filepath.Join(root, "app")
	os.MkdirAll(app, 0o755)
	var main strings.Builder
	perFile := (models + files - 1) / files
	for f := 0; f < files; f++ {
		var src strings.Builder
		src.WriteString("from datetime import date, datetime\nfrom typing import Optional\n\nfrom moose_lib import Key, OlapConfig, OlapTable, Stream\nfrom pydantic import BaseModel\n\n")
		for m := f * perFile; m < (f+1)*perFile && m < models; m++ {
			fmt.Fprintf(&src, "\nclass Model%d(BaseModel):\n    id: Key[str]\n", m)
			for i := 1; i < fields; i++ {
				fmt.Fprintf(&src, "    field_%d: %s\n", i, fieldTypes[i%len(fieldTypes)])
			}
			fmt.Fprintf(&src, "\n\ntable_%d = OlapTable[Model%d](\"Table%d\", OlapConfig(order_by_fields=[\"id\"]))\n", m, m, m)
			if len(streams) > 0 && streams[0] {
				fmt.Fprintf(&src, "stream_%d = Stream[Model%d](\"Stream%d\")\n", m, m, m)
			}
		}
		os.WriteFile(filepath.Join(app, fmt.Sprintf("models_%d.py", f)), []byte(src.String()), 0o644)
		fmt.Fprintf(&main, "from app.models_%d import *\n", f)
	}
	os.WriteFile(filepath.Join(app, "main.py"), []byte(main.String()), 0o644)
	return root
}

// BenchmarkLoadCold parses and evaluates a 1,000-model x 20-field project
// in 50 files from scratch (no parse cache).
func BenchmarkLoadCold(b *testing.B) {
	root := genProject(b, 1000, 20, 50)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := parser.NewLoader(root, "app", "Python").Load("local"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoadWarm re-evaluates the same project with every file's parse
// cached: the dev loop's cost when one file changed is between the two.
func BenchmarkLoadWarm(b *testing.B) {
	root := genProject(b, 1000, 20, 50)
	l := parser.NewLoader(root, "app", "Python")
	if _, err := l.Load("local"); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := l.Load("local"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoadWarmWithStreams is BenchmarkLoadWarm with a stream beside
// each table (one model, two resources: the dev loop's usual shape).
func BenchmarkLoadWarmWithStreams(b *testing.B) {
	root := genProject(b, 1000, 20, 50, true)
	l := parser.NewLoader(root, "app", "Python")
	if _, err := l.Load("local"); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := l.Load("local"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDiffPlan diffs and plans two maps of 1,000 tables x 20 columns
// with 5% of the tables changed.
func BenchmarkDiffPlan(b *testing.B) {
	current, desired := infra.NewMap("local"), infra.NewMap("local")
	for t := 0; t < 1000; t++ {
		mk := func(changed bool) *infra.Table {
			tbl := &infra.Table{Name: fmt.Sprintf("T%d", t), Engine: infra.MergeTree, OrderBy: infra.OrderBy{Fields: []string{"c0"}}}
			for c := 0; c < 20; c++ {
				typ := infra.ColumnType(infra.String)
				if changed && c == 5 {
					typ = infra.Int64
				}
				tbl.Columns = append(tbl.Columns, infra.Column{Name: fmt.Sprintf("c%d", c), DataType: typ, Required: true})
			}
			if changed {
				tbl.Columns = append(tbl.Columns, infra.Column{Name: "added", DataType: infra.Float64})
			}
			return tbl
		}
		current.AddTable(mk(false))
		desired.AddTable(mk(t%20 == 0))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ops := differ.Plan(differ.Diff(current, desired))
		if len(ops) != 100 {
			b.Fatalf("ops = %d", len(ops))
		}
	}
}

// BenchmarkDiffResources diffs two identical maps of 1,000 ingest
// pipelines' non-table resources (API endpoint, sync process, function
// process each), the state read back against the code: the work every
// reload does for them when nothing changed.
func BenchmarkDiffResources(b *testing.B) {
	build := func() *infra.Map {
		m := infra.NewMap("local")
		for i := range 1000 {
			name := fmt.Sprintf("Event%d", i)
			api := &infra.APIEndpoint{Name: name, Method: "POST", Path: "ingest/" + name,
				APIType: []byte(fmt.Sprintf(`{"INGRESS":{"target_topic_id":%q,"data_model":{"name":%q,"columns":[{"name":"id","data_type":"String"}]}}}`, name, name))}
			m.APIEndpoints[api.ID()] = api
			sync := &infra.TopicToTableSyncProcess{SourceTopicID: name, TargetTableID: "local_" + name}
			m.TopicToTableSyncProcesses[sync.ID()] = sync
			fn := &infra.FunctionProcess{Name: name + "__Out", SourceTopicID: name, ParallelProcessCount: 1, Language: "Python"}
			m.FunctionProcesses[fn.ID()] = fn
		}
		return m
	}
	current, desired := build(), build()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if changes := differ.Diff(current, desired); len(changes) != 0 {
			b.Fatalf("%d changes between identical maps", len(changes))
		}
	}
}

var tsFieldTypes = []string{"string", "number", "Int64", "boolean", "Date", "string & tags.Format<\"uuid\">", "string[]", "Float32", "Decimal<10, 2>", "\"a\" | \"b\" | \"c\""}

// genTSProject writes a TypeScript project of models x fields over files:
// each file holds its interfaces and their tables; index.ts re-exports
// every file.
func genTSProject(b *testing.B, models, fields, files int) string {
	b.Helper()
	root := b.TempDir()
	app := filepath.Join(root, "app")
	os.MkdirAll(app, 0o755)
	var index strings.Builder
	perFile := (models + files - 1) / files
	for f := 0; f < files; f++ {
		os.WriteFile(filepath.Join(app, fmt.Sprintf("models_%d.ts", f)), []byte(tsModels(f, perFile, models, fields, "")), 0o644)
		fmt.Fprintf(&index, "export * from \"./models_%d\";\n", f)
	}
	os.WriteFile(filepath.Join(app, "index.ts"), []byte(index.String()), 0o644)
	return root
}

func tsModels(f, perFile, models, fields int, extra string) string {
	var src strings.Builder
	src.WriteString("import { Decimal, Float32, Int64, Key, OlapTable } from \"@514labs/moose-lib\";\nimport { tags } from \"typia\";\n")
	for m := f * perFile; m < (f+1)*perFile && m < models; m++ {
		fmt.Fprintf(&src, "\n/** Model %d. */\nexport interface Model%d {\n  id: Key<string>;\n", m, m)
		for i := 1; i < fields; i++ {
			opt := ""
			if i%7 == 0 {
				opt = "?"
			}
			fmt.Fprintf(&src, "  /** Field %d of model %d. */\n  field%d%s: %s;\n", i, m, i, opt, tsFieldTypes[i%len(tsFieldTypes)])
		}
		fmt.Fprintf(&src, "}\n\nexport const table%d = new OlapTable<Model%d>(\"Table%d\", { orderByFields: [\"id\"] });\n", m, m, m)
	}
	src.WriteString(extra)
	return src.String()
}

// BenchmarkTSLoadCold reads a 1,000-model x 20-field TypeScript project in
// 50 files from scratch (no parse cache).
func BenchmarkTSLoadCold(b *testing.B) {
	root := genTSProject(b, 1000, 20, 50)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := parser.NewLoader(root, "app", "Typescript").Load("local"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTSLoadOneFileChanged re-reads the project after one file
// changed: only that file is parsed again.
func BenchmarkTSLoadOneFileChanged(b *testing.B) {
	root := genTSProject(b, 1000, 20, 50)
	l := parser.NewLoader(root, "app", "Typescript")
	if _, err := l.Load("local"); err != nil {
		b.Fatal(err)
	}
	file := filepath.Join(root, "app", "models_7.ts")
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		os.WriteFile(file, []byte(tsModels(7, 20, 1000, 20, fmt.Sprintf("// edit %d\n", i))), 0o644)
		b.StartTimer()
		if _, err := l.Load("local"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTSLoadFirstSave is the first save after a cold load (the
// columns remembered are the cold load's readings').
func BenchmarkTSLoadFirstSave(b *testing.B) {
	root := genTSProject(b, 1000, 20, 50)
	file := filepath.Join(root, "app", "models_7.ts")
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		l := parser.NewLoader(root, "app", "Typescript")
		if _, err := l.Load("local"); err != nil {
			b.Fatal(err)
		}
		os.WriteFile(file, []byte(tsModels(7, 20, 1000, 20, fmt.Sprintf("// edit %d\n", i))), 0o644)
		b.StartTimer()
		if _, err := l.Load("local"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStateEncode encodes the map of a 2,000-model x 20-field project
// (each model an OlapTable) as the dev loop writes it to .moose/state.json
// after every save.
func BenchmarkStateEncode(b *testing.B) {
	root := genProject(b, 2000, 20, 20)
	m, err := parser.NewLoader(root, "app", "Python").Load("local")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := infra.EncodeState(io.Discard, m.Map); err != nil {
			b.Fatal(err)
		}
	}
}
