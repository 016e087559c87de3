package parser

import (
	"fmt"
	"strings"

	"github.com/moose-dev/moose-dev/infra"
)

// value is what an expression evaluates to at module level.
type value interface{}

type (
	// moduleVal is a project module (or package).
	moduleVal struct{ mod *module }
	// extRef is a name from outside the project: moose_lib, pydantic,
	// typing, datetime, builtins... qual is canonical ("moose_lib.OlapTable").
	extRef struct{ qual string }
	// modelVal is a pydantic model class defined in the project.
	modelVal struct {
		name       string
		fields     []field
		file       string
		pos        Pos
		extraAllow bool     // model_config = ConfigDict(extra="allow")
		ts         *tsModel // a TypeScript model: columns come from its type
	}
	// enumVal is an Enum subclass defined in the project.
	enumVal struct {
		name    string
		members []infra.EnumMember
	}
	// classVal is any other class defined in the project.
	classVal struct {
		name string
		// undefinedBase is the first base whose name is not defined (a
		// missing import): the class would be a model with it.
		undefinedBase *unknownVal
		file          string
	}
	// genericVal is `base[params]`, e.g. OlapTable[Model] or Optional[str].
	genericVal struct {
		base   value
		params []value
		pos    Pos
	}
	// unionVal is `A | B`.
	unionVal struct{ items []value }
	// callVal is the result of calling an external callable we model by its
	// arguments, e.g. OlapConfig(order_by_fields=[...]).
	callVal struct {
		file   string // where it was called (TypeScript tasks, for lineage)
		fn     string
		args   []value
		argPos []Pos
		kwargs map[string]value
		kwPos  map[string]Pos
		pos    Pos
	}
	strVal string
	// rawJSON is a value already in the map's JSON form.
	rawJSON  string
	intVal   int64
	floatVal float64
	boolVal  bool
	noneVal  struct{}
	listVal  []value
	tupleVal []value
	dictVal  struct {
		keys []value
		vals []value
	}
	tableVal  struct{ t *infra.Table }
	streamVal struct{ t *infra.Topic }
	// pipelineVal is an IngestPipeline: its parts, each possibly nil.
	pipelineVal struct {
		table  *infra.Table
		stream *infra.Topic
		dlq    *infra.Topic
		api    *infra.APIEndpoint
	}
	// mvVal is a MaterializedView and its target table.
	mvVal struct {
		mv     *infra.MaterializedView
		target *infra.Table
	}
	viewVal struct{ v *infra.View }
	// resourceVal is any other registered resource (APIs, workflows, ...).
	resourceVal struct{ kind, name string }
	// funcVal is a function defined in the project; creates is set when its
	// body constructs a moose_lib resource.
	funcVal struct {
		name    string
		creates *Token
		file    string
		ts      *tsFunc // a TypeScript function's body, for lineage
	}
	// methodVal is `resource.method`, waiting to be called.
	methodVal struct {
		recv value
		name string
	}
	// unknownVal is a value only known at run time; why says what it was.
	unknownVal struct {
		pos Pos
		why string
	}
)

// field is one annotated attribute of a model class.
type field struct {
	name  string
	ann   Expr
	value Expr    // the default (`= Field(...)`), nil without one
	mod   *module // the module whose names the annotation uses
	pos   Pos
}

// describe names a value for error messages.
func describe(v value) string {
	switch v := v.(type) {
	case moduleVal:
		return "module " + v.mod.name
	case extRef:
		return v.qual
	case *modelVal:
		return "model " + v.name
	case classVal:
		return "class " + v.name
	case *enumVal:
		return "enum " + v.name
	case genericVal:
		return describe(v.base) + "[...]"
	case unionVal:
		return "a union type"
	case callVal:
		return v.fn + "(...)"
	case strVal:
		return fmt.Sprintf("string %q", string(v))
	case intVal:
		return fmt.Sprintf("integer %d", int64(v))
	case floatVal:
		return fmt.Sprintf("number %v", float64(v))
	case boolVal:
		return fmt.Sprintf("%v", bool(v))
	case noneVal:
		return "None"
	case listVal:
		return "a list"
	case tupleVal:
		return "a tuple"
	case dictVal:
		return "a dict"
	case tableVal:
		return "OlapTable " + v.t.Name
	case streamVal:
		return "Stream " + v.t.Name
	case pipelineVal:
		return "an IngestPipeline"
	case mvVal:
		return "MaterializedView " + v.mv.Name
	case *tsObject:
		return "an object"
	case sqlVal:
		return "a sql template"
	case tsNamespace:
		return "module " + v.m.mod.file
	case tsColumnsVal:
		return "the columns of " + v.t.Name
	case tsColumnRef:
		return "column " + v.c.Name
	case viewVal:
		return "View " + v.v.Name
	case resourceVal:
		return v.kind + " " + v.name
	case methodVal:
		return "method " + v.name + " of " + describe(v.recv)
	case funcVal:
		return "function " + v.name
	case unknownVal:
		return v.why
	}
	return fmt.Sprintf("%T", v)
}

// canonical maps an external module path and name to the name code checks
// against: every moose_lib submodule collapses to moose_lib, typing_extensions
// to typing.
func canonical(module, name string) string {
	root := module
	if i := strings.IndexByte(module, '.'); i >= 0 {
		root = module[:i]
	}
	switch root {
	case "moose_lib":
		module = "moose_lib"
	case "typing_extensions":
		module = "typing"
	}
	if name == "" {
		return module
	}
	return module + "." + name
}

var builtinNames = map[string]bool{"str": true, "int": true, "float": true, "bool": true, "bytes": true,
	"list": true, "dict": true, "tuple": true, "set": true, "frozenset": true, "object": true, "type": true, "complex": true, "bytearray": true,
	"memoryview": true, "range": true}

// elements returns the items of a list or a tuple.
func elements(v value) ([]value, bool) {
	switch x := v.(type) {
	case listVal:
		return x, true
	case tupleVal:
		return x, true
	}
	return nil, false
}

// article is "an" before a vowel sound, "a" otherwise.
func article(word string) string {
	if word != "" && strings.ContainsRune("AEIOUaeiou", rune(word[0])) {
		return "an"
	}
	return "a"
}
