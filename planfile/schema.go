package planfile

import (
	"reflect"
	"strings"
)

// SchemaFile is where the plan header points editors (relative to the
// project): `migrations/plan.yaml` names `../.moose/migration_schema.json`.
const SchemaFile = "migration_schema.json"

// Schema is a JSON Schema for plan files, so that an editor flags an
// unknown operation or a misspelt field while the plan is being edited:
// each operation is an object of exactly one variant whose fields are the
// variant's own. Values inside fields (tables, columns) are not described.
func Schema() map[string]any {
	var variants []any
	for _, name := range OperationNames() {
		t := reflect.TypeOf(operationTypes[name]())
		props := map[string]any{}
		required := []string{}
		for i := 0; i < t.NumField(); i++ {
			tag, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
			if tag == "" || tag == "-" {
				continue
			}
			props[tag] = map[string]any{}
			required = append(required, tag)
		}
		variants = append(variants, map[string]any{
			"type":                 "object",
			"required":             []string{name},
			"additionalProperties": false,
			"properties": map[string]any{name: map[string]any{
				"type": "object", "properties": props, "required": required, "additionalProperties": false,
			}},
		})
	}
	return map[string]any{
		"$schema":              "http://json-schema.org/draft-07/schema#",
		"title":                "moose-dev migration plan",
		"type":                 "object",
		"required":             []string{"created_at", "operations"},
		"additionalProperties": false,
		"properties": map[string]any{
			"created_at": map[string]any{"type": "string"},
			"operations": map[string]any{"type": "array", "items": map[string]any{"oneOf": variants}},
		},
	}
}
