package parser

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// tsFuzzModels is a second module every fuzzed index.ts can import.
const tsFuzzModels = `import { OlapTable, Stream, Key } from "@514labs/moose-lib";
export interface M { id: Key<string>; n: number; tags?: string[] }
export const t = new OlapTable<M>("t", { orderByFields: ["id"] });
export const s = new Stream<M>("s", { destination: t });
`

// FuzzTSLoad loads a project whose index.ts is the input (beside a valid
// models module): never a panic or a hang, and every refusal is at a
// position in a project file.
func FuzzTSLoad(f *testing.F) {
	for _, seed := range []string{
		"export * from \"./models\";\n",
		"import { t, s, M } from \"./models\";\nimport { OlapTable, sql, View } from \"@514labs/moose-lib\";\nexport const v = new View(\"v\", sql`SELECT ${t.columns.id} FROM ${t}`, [t]);\n",
		"import { OlapTable } from \"@514labs/moose-lib\";\ninterface A { a: string | number }\nexport const x = new OlapTable<A>(\"x\", { orderByFields: [\"a\"] });\n",
		"import { OlapTable } from \"@514labs/moose-lib\";\nimport { M } from \"./models\";\nfor (const n of [\"a\", \"b\"]) { new OlapTable<M>(n); }\n",
		"import { s } from \"./models\";\ns.addConsumer((m) => console.log(m), { version: \"1\" });\n",
		"import { OlapTable } from \"@514labs/moose-lib\";\nimport { M } from \"./models\";\nexport const x = new OlapTable<M>(process.env.NAME!);\n",
		"const x = (1,\n",
		"import { nothing } from \"./missing\";\n",
		"export const a = `x${`y${1}`}` + /re/g.source;\nclass C { static s = 1; #p = 2; @dec() m() {} }\n",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, src string) {
		dir := t.TempDir()
		writeProject(t, dir, map[string]string{"app/index.ts": src, "app/models.ts": tsFuzzModels})
		_, err := NewLoader(dir, "app", "Typescript").Load("local")
		checkTSPositioned(t, src, err)
	})
}

// checkTSPositioned requires an error to be at a line and column of one of
// the project's files (the index's lines counted as JavaScript does).
func checkTSPositioned(t *testing.T, src string, err error) {
	t.Helper()
	if err == nil {
		return
	}
	var pe *Error
	if !errors.As(err, &pe) {
		t.Fatalf("%q: the error has no position: %v", src, err)
	}
	lines := len(strings.Split(strings.NewReplacer("\r\n", "\n", "\r", "\n", "\u2028", "\n", "\u2029", "\n").Replace(src), "\n"))
	if pe.File == "app/models.ts" {
		lines = strings.Count(tsFuzzModels, "\n") + 1
	} else if pe.File != "app/index.ts" {
		t.Fatalf("%q: the error is not in a project file: %v", src, err)
	}
	if pe.Pos.Line < 1 || pe.Pos.Line > lines || pe.Pos.Col < 1 {
		t.Fatalf("%q: the error is not at a position of %s (%d lines): %v", src, pe.File, lines, err)
	}
	if !strings.HasPrefix(err.Error(), fmt.Sprintf("%s:%d:%d: ", pe.File, pe.Pos.Line, pe.Pos.Col)) {
		t.Fatalf("%q: the message does not start with file:line:col: %v", src, err)
	}
}
