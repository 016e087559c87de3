package differ

import (
	"fmt"
	"strings"
)

// SplitDestructive separates the changes that lose data the code no longer
// mentions (a dropped table, dropped columns; a recreate too unless it
// keeps the rows) from the rest, so that they can be confirmed first. An
// UpdateTable is split: its column removals are held, the rest applies.
func SplitDestructive(changes []Change, recreateKeepsData bool) (safe, destructive []Change) {
	for _, ch := range changes {
		switch c := ch.(type) {
		case DropTable:
			destructive = append(destructive, c)
			continue
		case RecreateTable:
			if !recreateKeepsData {
				destructive = append(destructive, c)
				continue
			}
		case UpdateTable:
			removals := columnRemovals(c.Columns)
			if len(removals) > 0 {
				held := UpdateTable{Before: c.Before, After: c.After, Columns: removals}
				destructive = append(destructive, held)
				rest := c
				rest.Columns = nil
				for _, cc := range c.Columns {
					if cc.Kind != ColumnRemoved {
						rest.Columns = append(rest.Columns, cc)
					}
				}
				if len(rest.Columns) == 0 && !rest.hasTableLevel() {
					continue
				}
				ch = rest
			}
		}
		safe = append(safe, ch)
	}
	return safe, destructive
}

// Describe says in one line what a destructive change would lose.
func Describe(c Change) string {
	switch c := c.(type) {
	case DropTable:
		return fmt.Sprintf("drop table %s and all its rows", c.Table.Name)
	case RecreateTable:
		return fmt.Sprintf("drop and recreate table %s, losing its rows (%s)", c.After.Name, c.Reason)
	case UpdateTable:
		var names []string
		for _, cc := range c.Columns {
			if cc.Kind == ColumnRemoved {
				names = append(names, cc.Before.Name)
			}
		}
		return fmt.Sprintf("drop column(s) %s of table %s and their data", strings.Join(names, ", "), c.After.Name)
	}
	return fmt.Sprintf("%T", c)
}
