package planfile

import (
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// plainValues turns an operation's YAML into plain maps, lists and scalars,
// resolving plain scalars as serde_yaml does (de.rs, visit_untagged_scalar:
// the YAML 1.2 core schema, without YAML 1.1's timestamps, underscores in
// numbers or 0X prefixes), so that what upstream writes plain reads as what
// upstream meant: `1_000`, `0X1F` and `2026-01-01` are strings. A quoted or
// block scalar is a string; an explicitly tagged one is go-yaml's reading.
//
// budget bounds the values, which aliases could multiply: the caller sets it
// from the file's size, as without aliases there are fewer values than bytes.
func plainValues(n *yaml.Node, budget *int) (any, error) {
	return plainValue(n, budget)
}

func plainValue(n *yaml.Node, budget *int) (any, error) {
	if *budget--; *budget < 0 {
		return nil, fmt.Errorf("too many values for the file's size (excessive aliasing)")
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return plainValue(n.Content[0], budget)
	case yaml.AliasNode:
		if n.Alias == nil {
			return nil, fmt.Errorf("line %d: unknown alias", n.Line)
		}
		return plainValue(n.Alias, budget)
	case yaml.SequenceNode:
		list := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			v, err := plainValue(c, budget)
			if err != nil {
				return nil, err
			}
			list = append(list, v)
		}
		return list, nil
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			for k.Kind == yaml.AliasNode && k.Alias != nil {
				k = k.Alias
			}
			if k.Kind != yaml.ScalarNode {
				return nil, fmt.Errorf("line %d: a mapping key must be a scalar", k.Line)
			}
			if _, dup := m[k.Value]; dup {
				return nil, fmt.Errorf("line %d: mapping key %q already defined", k.Line, k.Value)
			}
			v, err := plainValue(n.Content[i+1], budget)
			if err != nil {
				return nil, err
			}
			m[k.Value] = v
		}
		return m, nil
	case yaml.ScalarNode:
		if n.Style&yaml.TaggedStyle != 0 {
			var v any
			if err := n.Decode(&v); err != nil {
				return nil, err
			}
			return v, nil
		}
		if n.Style&(yaml.SingleQuotedStyle|yaml.DoubleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
			return n.Value, nil
		}
		return plainScalar(n.Value), nil
	}
	return nil, fmt.Errorf("line %d: unexpected YAML node", n.Line)
}

// plainScalar is serde_yaml's reading of an untagged plain scalar.
func plainScalar(s string) any {
	switch s {
	case "", "~", "null", "Null", "NULL":
		return nil
	case "true", "True", "TRUE":
		return true
	case "false", "False", "FALSE":
		return false
	}
	if digitsButNotNumber(s) {
		return s
	}
	if serdeInt(s) {
		return json.Number(intValue(s))
	}
	if serdeFloat(s) {
		switch strings.TrimPrefix(strings.ToLower(s), "+") {
		case ".inf":
			return math.Inf(1)
		case "-.inf":
			return math.Inf(-1)
		case ".nan":
			return math.NaN()
		}
		f, _ := strconv.ParseFloat(s, 64)
		return f
	}
	return s
}

// intValue is the decimal value of an integer serdeInt accepts.
func intValue(s string) string {
	neg := strings.HasPrefix(s, "-")
	u := strings.TrimPrefix(strings.TrimPrefix(s, "+"), "-")
	base := 10
	for _, r := range radixPrefixes {
		if rest, ok := strings.CutPrefix(u, r.prefix); ok && allDigits(rest, r.base) {
			u, base = rest, r.base
			break
		}
	}
	n, ok := new(big.Int).SetString(u, base)
	if !ok {
		return s
	}
	if neg {
		n.Neg(n)
	}
	return n.String()
}
