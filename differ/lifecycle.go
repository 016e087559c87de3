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
			if protectedFromDrop(c.After.LifeCycle) || protectedFromDrop(c.Before.LifeCycle) {
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
// execution anyway: the second, independent check refuses it.
type LifecycleViolation struct {
	Op     infra.Operation
	Reason string
}

func (v *LifecycleViolation) Error() string {
	return fmt.Sprintf("refusing to run %q: %s (lifecycle check before execution)", v.Op.Describe(), v.Reason)
}

// CheckLifecycle re-checks final operations against the lifecycles of the
// tables they touch, in both maps, independently of FilterLifecycle.
func CheckLifecycle(ops []infra.Operation, maps ...*infra.Map) error {
	lifecycle := map[string]infra.LifeCycle{}
	for _, m := range maps {
		for _, t := range m.Tables {
			if lifecycle[t.Name] == "" || lifecycle[t.Name] == infra.FullyManaged {
				lifecycle[t.Name] = t.LifeCycle
			}
		}
	}
	for _, op := range ops {
		var table string
		destructive := false
		switch o := op.(type) {
		case infra.DropTable:
			table, destructive = o.Table, true
		case infra.DropTableColumn:
			table, destructive = o.Table, true
		case infra.CreateTable:
			table = o.Table.Name
		case infra.AddTableColumn:
			table = o.Table
		case infra.ModifyTableColumn:
			table = o.Table
		default:
			continue
		}
		table = strings.TrimSuffix(table, RecreateSuffix)
		switch lc := lifecycle[table]; {
		case lc == infra.ExternallyManaged:
			return &LifecycleViolation{op, fmt.Sprintf("table %s is EXTERNALLY_MANAGED", table)}
		case destructive && lc == infra.DeletionProtected:
			return &LifecycleViolation{op, fmt.Sprintf("table %s is DELETION_PROTECTED", table)}
		}
	}
	return nil
}
