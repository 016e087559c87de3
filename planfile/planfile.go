// Package planfile reads and writes migration plans (`migrations/plan.yaml`)
// in upstream's format: `created_at` and `operations`, each operation
// externally tagged by its variant name, keys sorted, absent values written
// as null. Reading is strict, since people edit these files: an unknown
// operation or field, or a required field left out, is an error naming the
// operation's index.
package planfile

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/moose-dev/moose-dev/infra"
	"go.yaml.in/yaml/v3"
)

// Header is the first line upstream writes, pointing editors at the schema.
const Header = "# yaml-language-server: $schema=../.moose/migration_schema.json\n\n"

// Plan is a migration plan.
type Plan struct {
	CreatedAt  time.Time
	Operations []infra.Operation
}

// createdAtFormat is RFC 3339 in UTC with microseconds, as upstream writes.
const createdAtFormat = "2006-01-02T15:04:05.000000Z"

// generic returns the plan as plain maps and lists, ready for JSON or YAML.
func (p *Plan) generic() (map[string]any, error) {
	ops := make([]any, len(p.Operations))
	for i, op := range p.Operations {
		raw, err := infra.MarshalOperation(op)
		if err != nil {
			return nil, fmt.Errorf("operation %d (%s): %w", i, op.OpName(), err)
		}
		var v any
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		ops[i] = v
	}
	return map[string]any{"created_at": p.CreatedAt.UTC().Format(createdAtFormat), "operations": ops}, nil
}

// MarshalYAML writes the plan as upstream's plan.yaml.
func (p *Plan) MarshalYAML() ([]byte, error) {
	g, err := p.generic()
	if err != nil {
		return nil, err
	}
	doc := numbersAsYAML(g).(map[string]any)
	// a plain YAML timestamp, as upstream writes it
	doc["created_at"] = &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!timestamp", Value: doc["created_at"].(string)}
	// first go-yaml's own rendering (keys sorted), read back as a node tree
	// to give its strings serde_yaml's scalar styles (quoting.go)
	var first bytes.Buffer
	if err := newEncoder(&first).Encode(doc); err != nil {
		return nil, err
	}
	var tree yaml.Node
	if err := yaml.Unmarshal(first.Bytes(), &tree); err != nil {
		return nil, err
	}
	ph := newPlaceholders(&tree)
	styleStrings(&tree, ph)
	var buf bytes.Buffer
	buf.WriteString(Header)
	enc := newEncoder(&buf)
	if err := enc.Encode(&tree); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return ph.restore(buf.Bytes()), nil
}

// newEncoder is go-yaml's encoder in serde_yaml's layout.
func newEncoder(w *bytes.Buffer) *yaml.Encoder {
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	// serde_yaml's layout (libyaml's indentless sequences): a sequence at its
	// key's column, at every level. With an indent of 2 the emitter's compact
	// sequences are exactly that, block scalars included (layout_test.go
	// checks it; testdata/layout.yaml is byte-identical to libyaml's output).
	enc.CompactSeqIndent()
	return enc
}

// MarshalJSON writes the same structure as indented JSON with sorted keys.
func (p *Plan) MarshalJSON() ([]byte, error) {
	g, err := p.generic()
	if err != nil {
		return nil, err
	}
	return infra.MarshalSorted(g)
}

// numbersAsYAML turns json.Number into int64 or float64 so YAML prints
// them as numbers.
func numbersAsYAML(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = numbersAsYAML(e)
		}
	case []any:
		for i, e := range x {
			x[i] = numbersAsYAML(e)
		}
	case json.Number:
		if n, err := x.Int64(); err == nil {
			return n
		}
		f, _ := x.Float64()
		return f
	}
	return v
}

// operationTypes maps variant names to their Go types.
var operationTypes = map[string]func() infra.Operation{}

func register[T infra.Operation](zero T) {
	operationTypes[zero.OpName()] = func() infra.Operation { var t T; return t }
}

func init() {
	register(infra.CreateTable{})
	register(infra.DropTable{})
	register(infra.AddTableColumn{})
	register(infra.DropTableColumn{})
	register(infra.ModifyTableColumn{})
	register(infra.RenameTableColumn{})
	register(infra.ModifyTableSettings{})
	register(infra.ModifyTableTtl{})
	register(infra.AddTableIndex{})
	register(infra.DropTableIndex{})
	register(infra.AddTableProjection{})
	register(infra.DropTableProjection{})
	register(infra.ModifySampleBy{})
	register(infra.RemoveSampleBy{})
	register(infra.CreateMaterializedView{})
	register(infra.DropMaterializedView{})
	register(infra.CreateView{})
	register(infra.DropView{})
	register(infra.RawSQL{})
}

// OperationNames lists the operations a plan may hold.
func OperationNames() []string {
	names := make([]string, 0, len(operationTypes))
	for n := range operationTypes {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Error is a problem in a plan file, at an operation when Index >= 0.
type Error struct {
	Index int
	Op    string
	Msg   string
}

func (e *Error) Error() string {
	switch {
	case e.Index < 0:
		return "plan: " + e.Msg
	case e.Op == "":
		return fmt.Sprintf("plan: operations[%d]: %s", e.Index, e.Msg)
	}
	return fmt.Sprintf("plan: operations[%d] (%s): %s", e.Index, e.Op, e.Msg)
}

// Unmarshal reads a plan from YAML (or JSON, which YAML includes).
func Unmarshal(data []byte) (*Plan, error) {
	var doc struct {
		CreatedAt  string      `yaml:"created_at"`
		Operations []yaml.Node `yaml:"operations"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&doc); err != nil {
		return nil, &Error{Index: -1, Msg: err.Error()}
	}
	p := &Plan{}
	if doc.CreatedAt != "" {
		t, err := time.Parse(time.RFC3339Nano, doc.CreatedAt)
		if err != nil {
			return nil, &Error{Index: -1, Msg: fmt.Sprintf("created_at %q is not an RFC 3339 time", doc.CreatedAt)}
		}
		p.CreatedAt = t
	}
	budget := 2*len(data) + 1000
	for i := range doc.Operations {
		// plain scalars resolved as serde_yaml resolves them (read.go)
		v, err := plainValues(&doc.Operations[i], &budget)
		if err != nil {
			return nil, &Error{Index: i, Msg: err.Error()}
		}
		entry, ok := v.(map[string]any)
		if !ok {
			return nil, &Error{Index: i, Msg: "an operation is a map with one key (its kind)"}
		}
		if len(entry) != 1 {
			return nil, &Error{Index: i, Msg: fmt.Sprintf("an operation is a map with one key (its kind), found %d keys", len(entry))}
		}
		for name, body := range entry {
			mk, ok := operationTypes[name]
			if !ok {
				return nil, &Error{Index: i, Op: name, Msg: fmt.Sprintf("unknown operation; known: %s", strings.Join(OperationNames(), ", "))}
			}
			op, err := decodeOperation(mk(), body)
			if err != nil {
				return nil, &Error{Index: i, Op: name, Msg: err.Error()}
			}
			p.Operations = append(p.Operations, op)
		}
	}
	if err := Check(p); err != nil {
		return nil, err
	}
	return p, nil
}

// decodeOperation decodes one operation's body strictly into its type.
func decodeOperation(zero infra.Operation, body any) (infra.Operation, error) {
	raw, err := json.Marshal(jsonable(body))
	if err != nil {
		return nil, err
	}
	ptr := newPointer(zero)
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(ptr); err != nil {
		return nil, fmt.Errorf("%s", strings.TrimPrefix(err.Error(), "json: "))
	}
	return deref(ptr), nil
}

// jsonable converts YAML's map[string]any trees (and any map[any]any) for
// encoding/json.
func jsonable(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = jsonable(e)
		}
	case map[any]any:
		m := map[string]any{}
		for k, e := range x {
			m[fmt.Sprint(k)] = jsonable(e)
		}
		return m
	case []any:
		for i, e := range x {
			x[i] = jsonable(e)
		}
	}
	return v
}
