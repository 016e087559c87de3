package infra

import "strings"

// Risk says what an operation can do to data.
type Risk string

// The three risk classes.
const (
	// RiskSafe operations lose nothing (creates, adds, renames, settings).
	RiskSafe Risk = "safe"
	// RiskRewriting operations rewrite stored data (type conversions,
	// copies) and can fail halfway or take long on large tables.
	RiskRewriting Risk = "data-rewriting"
	// RiskDestructive operations delete data (drops, a TTL that may expire
	// rows).
	RiskDestructive Risk = "destructive"
)

// RiskOf classifies an operation.
func RiskOf(op Operation) Risk {
	switch o := op.(type) {
	case DropTable, DropTableColumn:
		return RiskDestructive
	case ModifyTableTtl:
		if o.After != nil {
			return RiskDestructive // rows past the new TTL are deleted
		}
		return RiskSafe
	case ModifyTableColumn:
		return RiskRewriting
	case RawSQL:
		if len(o.SQL) == 0 {
			return RiskRewriting
		}
		for _, q := range o.SQL {
			if !strings.HasPrefix(strings.ToUpper(strings.TrimSpace(q)), "RENAME TABLE ") {
				return RiskRewriting // statements we cannot read: assume they rewrite
			}
		}
		return RiskSafe // renames only move names
	}
	return RiskSafe
}

// MaxRisk is the highest risk of a list of operations.
func MaxRisk(ops []Operation) Risk {
	r := RiskSafe
	for _, op := range ops {
		switch RiskOf(op) {
		case RiskDestructive:
			return RiskDestructive
		case RiskRewriting:
			r = RiskRewriting
		}
	}
	return r
}
