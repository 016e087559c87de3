package differ

import (
	"fmt"
	"strings"

	"github.com/moose-dev/moose-dev/infra"
)

// Blocked is a change a lifecycle forbids, with the reason shown to the user.
type Blocked struct {
	Change Change
	Reason string
}

func protectedFromDrop(lc infra.LifeCycle) bool {
	return lc == infra.DeletionProtected || lc == infra.ExternallyManaged
}

// FilterLifecycle applies upstream's lifecycle rules (moose-compat §4.4) to
// a change list: removals use the lifecycle the resource had, everything
// else the lifecycle the code now declares. It returns what may run and
// what is blocked, each with its reason.
func FilterLifecycle(changes []Change, defaultDB string) (allowed []Change, blocked []Blocked) {
	block := func(c Change, format string, args ...any) {
		blocked = append(blocked, Blocked{c, fmt.Sprintf(format, args...)})
	}
	for _, ch := range changes {
		switch c := ch.(type) {
		case AddTable:
			if c.Table.LifeCycle == infra.ExternallyManaged {
				block(c, "Table '%s' has ExternallyManaged lifecycle - addition blocked", c.Table.Name)
				continue
			}
		case DropTable:
			if protectedFromDrop(c.Table.LifeCycle) {
				block(c, "Table '%s' has %s lifecycle - removal blocked", c.Table.DatabaseOr(defaultDB)+"."+c.Table.Name, lifeCycleName(c.Table.LifeCycle))
				continue
			}
		case RecreateTable:
			if c.After.LifeCycle == infra.ExternallyManaged {
				block(c, "Table '%s' has ExternallyManaged lifecycle - update blocked (%s)", c.After.Name, c.Reason)
				continue
			}
			if protectedFromDrop(c.After.LifeCycle) { // the target lifecycle, as upstream
				block(c, "Table '%s' has %s lifecycle - DROP operation blocked, and the CREATE with it (%s)", c.After.Name, lifeCycleName(c.After.LifeCycle), c.Reason)
				continue
			}
		case UpdateTable:
			if c.After.LifeCycle == infra.ExternallyManaged {
				block(c, "Table '%s' has ExternallyManaged lifecycle - %d column change(s) and any table change blocked", c.After.Name, len(c.Columns))
				continue
			}
			if c.After.LifeCycle == infra.DeletionProtected {
				var kept []ColumnChange
				var removed []string
				for _, cc := range c.Columns {
					if cc.Kind == ColumnRemoved {
						removed = append(removed, cc.Before.Name)
						continue
					}
					kept = append(kept, cc)
				}
				if len(removed) > 0 {
					block(UpdateTable{Before: c.Before, After: c.After, Columns: columnRemovals(c.Columns)}, "Table '%s' has DeletionProtected lifecycle - %d column change(s) blocked: %s",
						c.After.Name, len(removed), strings.Join(removed, ", "))
					rest := c
					rest.Columns = kept
					if len(kept) == 0 && !rest.hasTableLevel() {
						continue
					}
					ch = rest
				}
			}
		case AddTopic:
			if c.Topic.LifeCycle == infra.ExternallyManaged {
				continue // upstream skips externally managed topics silently
			}
		case UpdateTopic:
			if c.After.LifeCycle == infra.ExternallyManaged {
				continue
			}
		case DropTopic:
			if protectedFromDrop(c.Topic.LifeCycle) {
				continue
			}
		case AddMaterializedView:
			if c.View.LifeCycle == infra.ExternallyManaged {
				block(c, "MaterializedView '%s' has ExternallyManaged lifecycle - CREATE blocked", c.View.Name)
				continue
			}
		case UpdateMaterializedView:
			if protectedFromDrop(c.After.LifeCycle) {
				block(c, "MaterializedView '%s' has %s lifecycle - UPDATE (DROP+CREATE) blocked", c.After.Name, lifeCycleName(c.After.LifeCycle))
				continue
			}
		case DropMaterializedView:
			if protectedFromDrop(c.View.LifeCycle) {
				block(c, "MaterializedView '%s' has %s lifecycle - DROP blocked", c.View.Name, lifeCycleName(c.View.LifeCycle))
				continue
			}
		}
		allowed = append(allowed, ch)
	}
	return allowed, blocked
}

func columnRemovals(ccs []ColumnChange) []ColumnChange {
	var out []ColumnChange
	for _, cc := range ccs {
		if cc.Kind == ColumnRemoved {
			out = append(out, cc)
		}
	}
	return out
}

// lifeCycleName is the Debug form upstream prints (DeletionProtected).
func lifeCycleName(lc infra.LifeCycle) string {
	switch lc {
	case infra.DeletionProtected:
		return "DeletionProtected"
	case infra.ExternallyManaged:
		return "ExternallyManaged"
	}
	return "FullyManaged"
}

// LifecycleViolation is an operation a lifecycle forbids that reached
// execution anyway: the second, independent check refuses it. Kind is
// upstream's ViolationType (TableDrop, ColumnRemoval, ColumnAddition,
// ColumnModification, TableModification, MaterializedViewDrop,
// MaterializedViewCreate). Table is the table's or view's name, Key its
// `db.name`.
type LifecycleViolation struct {
	Op        infra.Operation
	Kind      string
	Key       string
	Table     string
	LifeCycle infra.LifeCycle
}

func (v *LifecycleViolation) Error() string {
	return fmt.Sprintf("refusing to run %q: %s is %s (%s; lifecycle check before execution)", v.Op.Describe(), v.Key, v.LifeCycle, v.Kind)
}

// LifecycleViolations are every violation of one operation list.
type LifecycleViolations []*LifecycleViolation

func (vs LifecycleViolations) Error() string {
	msgs := make([]string, len(vs))
	for i, v := range vs {
		msgs[i] = v.Error()
	}
	return strings.Join(msgs, "\n")
}

// CheckLifecycle re-checks final operations against lifecycles,
// independently of FilterLifecycle, as upstream's guard does: a resource's
// lifecycle is the one the code now declares (the target), or, for one the
// code no longer declares, the one it had. So a table becoming
// DELETION_PROTECTED is protected at once, and one whose protection the user
// removed may be dropped and recreated. Tables and views are looked up by
// database and name (PhysicalKey), as the operation names them: two tables
// of one name in two databases keep their own lifecycles. It returns
// LifecycleViolations, all of them, or nil.
func CheckLifecycle(ops []infra.Operation, current, desired *infra.Map) error {
	db := desired.DefaultDatabase
	if db == "" {
		db = current.DefaultDatabase
	}
	tables := func(m *infra.Map) map[string]infra.LifeCycle {
		out := map[string]infra.LifeCycle{}
		for _, t := range m.Tables {
			out[PhysicalKey(t, m.DefaultDatabase)] = t.LifeCycle
		}
		return out
	}
	views := func(m *infra.Map) map[string]infra.LifeCycle {
		out := map[string]infra.LifeCycle{}
		for _, v := range m.MaterializedViews {
			out[NameKey(v.Database, v.Name, m.DefaultDatabase)] = v.LifeCycle
		}
		return out
	}
	target := func(before, after map[string]infra.LifeCycle, key string) infra.LifeCycle {
		if lc, ok := after[key]; ok {
			return lc
		}
		return before[key]
	}
	tBefore, tAfter, vBefore, vAfter := tables(current), tables(desired), views(current), views(desired)
	var out LifecycleViolations
	for _, op := range ops {
		var key, name, kind string
		var lc infra.LifeCycle
		switch o := op.(type) {
		case infra.DropMaterializedView:
			key, name = NameKey(o.Database, o.Name, db), o.Name
			if lc = target(vBefore, vAfter, key); protectedFromDrop(lc) {
				kind = "MaterializedViewDrop"
			}
		case infra.CreateMaterializedView:
			key, name = NameKey(o.Database, o.Name, db), o.Name
			if lc = target(vBefore, vAfter, key); lc == infra.ExternallyManaged {
				kind = "MaterializedViewCreate"
			}
		default:
			database, table, k := tableOp(op)
			if table == "" {
				continue
			}
			name = strings.TrimSuffix(table, RecreateSuffix)
			key = NameKey(database, name, db)
			lc = target(tBefore, tAfter, key)
			if (k == "TableDrop" || k == "ColumnRemoval") && protectedFromDrop(lc) || lc == infra.ExternallyManaged {
				kind = k
			}
		}
		if kind != "" {
			out = append(out, &LifecycleViolation{Op: op, Kind: kind, Key: key, Table: name, LifeCycle: lc})
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// tableOp names the table an operation changes (its database, nil for the
// default one, and name) and the kind of violation it would be on a table
// that forbids it. A CreateTable is none, as upstream's guard (the filter
// blocks creating an EXTERNALLY_MANAGED one).
func tableOp(op infra.Operation) (database *string, table, kind string) {
	switch o := op.(type) {
	case infra.DropTable:
		return o.Database, o.Table, "TableDrop"
	case infra.DropTableColumn:
		return o.Database, o.Table, "ColumnRemoval"
	case infra.AddTableColumn:
		return o.Database, o.Table, "ColumnAddition"
	case infra.ModifyTableColumn:
		return o.Database, o.Table, "ColumnModification"
	case infra.RenameTableColumn:
		return o.Database, o.Table, "ColumnModification"
	case infra.ModifyTableSettings:
		return o.Database, o.Table, "TableModification"
	case infra.ModifyTableTtl:
		return o.Database, o.Table, "TableModification"
	case infra.AddTableIndex:
		return o.Database, o.Table, "TableModification"
	case infra.DropTableIndex:
		return o.Database, o.Table, "TableModification"
	case infra.AddTableProjection:
		return o.Database, o.Table, "TableModification"
	case infra.DropTableProjection:
		return o.Database, o.Table, "TableModification"
	case infra.ModifySampleBy:
		return o.Database, o.Table, "TableModification"
	case infra.RemoveSampleBy:
		return o.Database, o.Table, "TableModification"
	}
	return nil, "", ""
}
