package parser

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/moose-dev/moose-dev/infra"
)

const tsTables = `import { OlapTable } from "@514labs/moose-lib";
import { Visit } from "./models";
export const visits = new OlapTable<Visit>("Visit", { orderByFields: ["id"] });
`

func visitColumns(t *testing.T, l *Loader) string {
	t.Helper()
	res, err := l.Load("local")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range res.Map.Tables["local_Visit"].Columns {
		raw, _ := infra.MarshalColumnType(c.DataType)
		names = append(names, c.Name+":"+string(raw))
	}
	return strings.Join(names, ",")
}

// Upstream's incremental compile goes stale when an interface changes in a
// file other than the one building the table; ours reads by content.
func TestAnInterfaceChangedInAnotherFileIsSeen(t *testing.T) {
	root := t.TempDir()
	writeProject(t, root, map[string]string{
		"app/index.ts":  "export * from \"./tables\";\n",
		"app/tables.ts": tsTables,
		"app/models.ts": "import { Key } from \"@514labs/moose-lib\";\nexport interface Visit { id: Key<string>; page: string }\n",
	})
	l := NewLoader(root, "app", "Typescript")
	if got := visitColumns(t, l); got != `id:"String",page:"String"` {
		t.Fatalf("columns = %s", got)
	}
	writeProject(t, root, map[string]string{
		"app/models.ts": "import { Key, Int64 } from \"@514labs/moose-lib\";\nexport interface Visit { id: Key<string>; page: string; ms: Int64 }\n",
	})
	if got := visitColumns(t, l); got != `id:"String",page:"String",ms:"Int64"` {
		t.Fatalf("after the edit, columns = %s", got)
	}
	// and through an alias in a third file the table's file never names
	writeProject(t, root, map[string]string{
		"app/models.ts": "import { Key } from \"@514labs/moose-lib\";\nimport { Ms } from \"./units\";\nexport interface Visit { id: Key<string>; ms: Ms }\n",
		"app/units.ts":  "export type Ms = number;\n",
	})
	if got := visitColumns(t, l); got != `id:"String",ms:"Float64"` {
		t.Fatalf("columns = %s", got)
	}
	writeProject(t, root, map[string]string{"app/units.ts": "import { UInt32 } from \"@514labs/moose-lib\";\nexport type Ms = UInt32;\n"})
	if got := visitColumns(t, l); got != `id:"String",ms:"UInt32"` {
		t.Fatalf("after editing only the alias's file, columns = %s", got)
	}
}

func TestTypeScriptLoaderReparsesOnlyChangedFiles(t *testing.T) {
	root := t.TempDir()
	writeProject(t, root, map[string]string{
		"app/index.ts":  "export * from \"./tables\";\n",
		"app/tables.ts": tsTables,
		"app/models.ts": "import { Key } from \"@514labs/moose-lib\";\nexport interface Visit { id: Key<string> }\n",
	})
	l := NewLoader(root, "app", "Typescript")
	visitColumns(t, l)
	before := l.cache["app/models.ts"].mod
	writeProject(t, root, map[string]string{"app/index.ts": "export * from \"./tables\";\n// edited\n"})
	visitColumns(t, l)
	if l.cache["app/models.ts"].mod != before {
		t.Fatal("an unchanged file was parsed again")
	}
	if len(l.tsMemo) != 1 {
		t.Fatalf("the model's columns are not remembered: %d entries", len(l.tsMemo))
	}
}

func TestTypeScriptUnloadedFilesAreUpstreamsWarning(t *testing.T) {
	root := t.TempDir()
	writeProject(t, root, map[string]string{
		"app/index.ts":       "export * from \"./tables\";\n",
		"app/tables.ts":      tsTables,
		"app/models.ts":      "export interface Visit { id: string }\n", // types only: the compiler drops the import
		"app/stray.ts":       "export const x = 1;\n",
		"app/types.d.ts":     "declare const y: number;\n",
		"app/node_modules/a": "",
	})
	os.MkdirAll(filepath.Join(root, "app", ".hidden"), 0o755)
	os.WriteFile(filepath.Join(root, "app", ".hidden", "h.ts"), []byte("x"), 0o644)
	l := NewLoader(root, "app", "Typescript")
	res, err := l.Load("local")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(res.Unloaded, ","); got != "app/models.ts,app/stray.ts" {
		t.Fatalf("unloaded = %s", got)
	}
	want := "Found 2 source file(s) that weren't loaded: app/models.ts, app/stray.ts. These files may contain resources that won't be registered. Make sure they're imported or re-exported in app/index.ts."
	if got := l.UnloadedWarning(res.Unloaded); got != want {
		t.Fatalf("warning:\n%s\nwant\n%s", got, want)
	}
}

func TestTheMainModuleMustExist(t *testing.T) {
	root := t.TempDir()
	writeProject(t, root, map[string]string{"app/other.ts": "export const x = 1;\n"})
	_, err := NewLoader(root, "app", "Typescript").Load("local")
	if err == nil || err.Error() != "app/index.ts not found: the project's main module is missing" {
		t.Fatalf("err = %v", err)
	}
}

// A pipeline's parts read the same by property or getter, as the shared
// attributes of both libraries.
func TestPipelinePartsByPropertyAndGetter(t *testing.T) {
	root := t.TempDir()
	writeProject(t, root, map[string]string{
		"app/index.ts": `import { IngestPipeline, View, Key, sql } from "@514labs/moose-lib";
interface E { id: Key<string> }
export const p = new IngestPipeline<E>("E", { table: true, stream: true, ingestApi: false });
export const v1 = new View("v1", sql` + "`SELECT * FROM ${p.table!}`" + `, [p.getTable()]);
p.getStream().addConsumer((e) => {});
`,
	})
	res, err := NewLoader(root, "app", "Typescript").Load("local")
	if err != nil {
		t.Fatal(err)
	}
	if v := res.Map.Views["v1"]; v == nil || v.SelectSQL != "SELECT * FROM `E`" || len(v.SourceTables) != 1 || v.SourceTables[0] != "`E`" {
		t.Fatalf("view = %+v", res.Map.Views["v1"])
	}
	if res.Map.FunctionProcesses["E_E"] == nil {
		t.Fatalf("the consumer added through getStream() is missing: %v", res.Map.FunctionProcesses)
	}
}

// tsconfig.json is JSON with comments and trailing commas, a comment
// between a trailing comma and its brace included.
func TestTSConfigWithCommentsAndTrailingCommas(t *testing.T) {
	root := t.TempDir()
	writeProject(t, root, map[string]string{
		"tsconfig.json": "{\n  // options\n  \"compilerOptions\": {\n    \"baseUrl\": \".\", /* base */\n    \"paths\": { \"@m/*\": [\"./app/models/*\"], }, // aliases\n  },\n}\n",
		"app/index.ts":  "export * from \"@m/visit\";\n",
		"app/models/visit.ts": "import { OlapTable, Key } from \"@514labs/moose-lib\";\n" +
			"interface Visit { id: Key<string> }\nexport const v = new OlapTable<Visit>(\"Visit\");\n",
	})
	res, err := NewLoader(root, "app", "Typescript").Load("local")
	if err != nil {
		t.Fatal(err)
	}
	if res.Map.Tables["local_Visit"] == nil {
		t.Fatal("the table behind the paths alias is missing")
	}
}

// One model's columns are shared by every resource built from it (a
// pipeline's table and stream, and across loads); a table whose engine
// drops the key flags must not drop them from the others, on the cold
// load or a warm one, nor from the same table when its engine changes in
// another file.
func TestSharedModelColumnsStayEachResourcesOwn(t *testing.T) {
	root := t.TempDir()
	buffer := `export const engine = { engine: ClickHouseEngines.Buffer, targetDatabase: "local", targetTable: "Rows",
  numLayers: 1, minTime: 1, maxTime: 2, minRows: 1, maxRows: 2, minBytes: 1, maxBytes: 2 };
`
	writeProject(t, root, map[string]string{
		"app/index.ts":  "export * from \"./tables\";\n",
		"app/config.ts": "import { ClickHouseEngines } from \"@514labs/moose-lib\";\n" + buffer,
		"app/tables.ts": `import { IngestPipeline, Key, OlapTable } from "@514labs/moose-lib";
import { engine } from "./config";
export interface Row { id: Key<string>; tags: string[] }
export const pipe = new IngestPipeline<Row>("Piped", { table: engine, stream: true, ingestApi: false });
export const rows = new OlapTable<Row>("Rows", engine);
`,
	})
	l := NewLoader(root, "app", "Typescript")
	load := func(when string, tableKeyed bool) string {
		res, err := l.Load("local")
		if err != nil {
			t.Fatalf("%s: %v", when, err)
		}
		m := res.Map
		if !m.Topics["Piped"].Columns[0].PrimaryKey {
			t.Fatalf("%s: the Buffer table's engine took the key flag from its pipeline's stream", when)
		}
		for _, id := range []string{"local_Piped", "local_Rows"} {
			if got := m.Tables[id].Columns[0].PrimaryKey; got != tableKeyed {
				t.Fatalf("%s: %s's key flag is %v", when, id, got)
			}
		}
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	cold := load("cold load", false)
	writeProject(t, root, map[string]string{"app/index.ts": "export * from \"./tables\";\n// edited\n"})
	if warm := load("warm load", false); warm != cold {
		t.Fatalf("a warm load's map differs from the cold load's:\n%s\n%s", warm, cold)
	}
	writeProject(t, root, map[string]string{"app/config.ts": "export const engine = { orderByFields: [\"id\"] };\n"})
	load("after the engine became MergeTree", true)
}

// A new file that an import now resolves to (`./models` is models.ts
// before models/index.ts) is read, though no file the model was read
// from changed.
func TestAnImportResolvingToANewFileIsSeen(t *testing.T) {
	root := t.TempDir()
	writeProject(t, root, map[string]string{
		"app/index.ts":        "export * from \"./tables\";\n",
		"app/tables.ts":       tsTables,
		"app/models/index.ts": "import { Key } from \"@514labs/moose-lib\";\nexport interface Visit { id: Key<string> }\n",
	})
	l := NewLoader(root, "app", "Typescript")
	if got := visitColumns(t, l); got != `id:"String"` {
		t.Fatalf("columns = %s", got)
	}
	writeProject(t, root, map[string]string{
		"app/models.ts": "import { Key } from \"@514labs/moose-lib\";\nexport interface Visit { id: Key<string>; page: string }\n",
	})
	if got := visitColumns(t, l); got != `id:"String",page:"String"` {
		t.Fatalf("after models.ts appeared, columns = %s", got)
	}
}
