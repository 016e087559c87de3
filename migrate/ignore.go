package migrate

import (
	"fmt"
	"sort"
	"strings"

	"github.com/moose-dev/moose-dev/infra"
)

// The differences `[migration_config] ignore_operations` can ignore
// (upstream's IgnorableOperation names).
const (
	IgnoreTableTTL           = "ModifyTableTtl"
	IgnoreColumnTTL          = "ModifyColumnTtl"
	IgnorePartitionBy        = "ModifyPartitionBy"
	IgnoreLowCardinality     = "IgnoreStringLowCardinalityDifferences"
	lowCardinalityAnnotation = "LowCardinality"
)

// Ignore is a set of ignorable differences.
type Ignore map[string]bool

// ParseIgnore reads `ignore_operations`; an unknown name is an error that
// lists the known ones.
func ParseIgnore(names []string) (Ignore, error) {
	known := []string{IgnoreTableTTL, IgnoreColumnTTL, IgnorePartitionBy, IgnoreLowCardinality}
	ig := Ignore{}
	for _, n := range names {
		ok := false
		for _, k := range known {
			ok = ok || n == k
		}
		if !ok {
			sort.Strings(known)
			return nil, fmt.Errorf("[migration_config] ignore_operations: unknown operation %q (known: %s)", n, strings.Join(known, ", "))
		}
		ig[n] = true
	}
	return ig, nil
}

// Apply returns a copy of target in which, for every table also in base,
// the ignored properties are base's: the diff then sees no difference
// there. base and target themselves are not changed.
func (ig Ignore) Apply(base, target *infra.Map) *infra.Map {
	if len(ig) == 0 {
		return target
	}
	out := target.Clone()
	for id, t := range out.Tables {
		b, ok := base.Tables[id]
		if !ok {
			continue
		}
		if ig[IgnoreTableTTL] {
			t.TTL = b.TTL
		}
		if ig[IgnorePartitionBy] {
			t.PartitionBy = b.PartitionBy
		}
		if !ig[IgnoreColumnTTL] && !ig[IgnoreLowCardinality] {
			continue
		}
		byName := map[string]infra.Column{}
		for _, c := range b.Columns {
			byName[c.Name] = c
		}
		for i, c := range t.Columns {
			bc, ok := byName[c.Name]
			if !ok {
				continue
			}
			if ig[IgnoreColumnTTL] {
				c.TTL = bc.TTL
			}
			if ig[IgnoreLowCardinality] {
				c = alignLowCardinality(c, bc)
			}
			t.Columns[i] = c
		}
	}
	return out
}

// alignLowCardinality gives c the LowCardinality annotation of base when
// both are String columns, and does the same inside Nested types (and
// arrays of them), matching nested columns by name.
func alignLowCardinality(c, base infra.Column) infra.Column {
	if c.DataType == infra.String && base.DataType == infra.String {
		c.Annotations = withLowCardinality(c.Annotations, base.HasAnnotation(lowCardinalityAnnotation))
		return c
	}
	c.DataType = alignNested(c.DataType, base.DataType)
	return c
}

func alignNested(t, base infra.ColumnType) infra.ColumnType {
	switch x := t.(type) {
	case infra.Array:
		if b, ok := base.(infra.Array); ok {
			x.Element = alignNested(x.Element, b.Element)
		}
		return x
	case infra.Nested:
		b, ok := base.(infra.Nested)
		if !ok {
			return x
		}
		byName := map[string]infra.Column{}
		for _, bc := range b.Columns {
			byName[bc.Name] = bc
		}
		cols := make([]infra.Column, len(x.Columns))
		for i, nc := range x.Columns {
			if bc, ok := byName[nc.Name]; ok {
				nc = alignLowCardinality(nc, bc)
			}
			cols[i] = nc
		}
		x.Columns = cols
		return x
	}
	return t
}

func withLowCardinality(as []infra.Annotation, on bool) []infra.Annotation {
	out := make([]infra.Annotation, 0, len(as)+1)
	for _, a := range as {
		if a.Key != lowCardinalityAnnotation {
			out = append(out, a)
		}
	}
	if on {
		out = append(out, infra.Annotation{Key: lowCardinalityAnnotation, Value: []byte("true")})
	}
	return out
}
