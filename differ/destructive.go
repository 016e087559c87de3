package differ

import (
	"fmt"
	"slices"
	"strings"

	"github.com/moose-dev/moose-dev/infra"
)

// SplitDestructive separates the changes that lose data the code no longer
// mentions (a dropped table, dropped columns; a recreate that drops the
// rows, or one that keeps them but not the columns the code dropped) from
// the rest, so that they can be confirmed first. An UpdateTable is split:
// its column removals are held, the rest applies. A destructive change that
// is not confirmed goes through Hold, which keeps what it would lose.
func SplitDestructive(changes []Change, recreateKeepsData bool) (safe, destructive []Change) {
	for _, ch := range changes {
		switch c := ch.(type) {
		case DropTable:
			destructive = append(destructive, c)
			continue
		case RecreateTable:
			c.KeepsRows = recreateKeepsData
			if !recreateKeepsData || len(columnRemovals(c.Columns)) > 0 {
				destructive = append(destructive, c)
				continue
			}
			ch = c
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

// Hold splits a destructive change that was not confirmed into what may
// still apply and what waits for a confirmation: a recreate that keeps the
// rows applies, carrying the columns the code dropped into the new table
// with their values, and their drop waits; anything else waits whole.
func Hold(c Change) (applies, waits Change) {
	rc, ok := c.(RecreateTable)
	if !ok || !rc.KeepsRows {
		return nil, c
	}
	removals := columnRemovals(rc.Columns)
	rc.Carry = nil
	for _, cc := range removals {
		rc.Carry = append(rc.Carry, cc.Before)
	}
	return rc, UpdateTable{Before: rc.carried(), After: rc.After, Columns: removals}
}

// Describe says in one line what a destructive change would lose.
func Describe(c Change) string {
	switch c := c.(type) {
	case DropTable:
		return fmt.Sprintf("drop table %s and all its rows", c.Table.Name)
	case RecreateTable:
		if c.KeepsRows {
			return fmt.Sprintf("recreate table %s (%s) without column(s) %s, losing their data",
				c.After.Name, c.Reason, strings.Join(columnNames(columnRemovals(c.Columns)), ", "))
		}
		return fmt.Sprintf("drop and recreate table %s, losing its rows (%s)", c.After.Name, c.Reason)
	case UpdateTable:
		return fmt.Sprintf("drop column(s) %s of table %s and their data", strings.Join(columnNames(columnRemovals(c.Columns)), ", "), c.After.Name)
	}
	return fmt.Sprintf("%T", c)
}

// columnNames are the names of the columns changes remove (or change).
func columnNames(ccs []ColumnChange) []string {
	names := make([]string, len(ccs))
	for i, cc := range ccs {
		names[i] = cc.Before.Name
	}
	return names
}

// carried is the recreated table's definition: the code's columns and the
// ones it carries.
func (c RecreateTable) carried() *infra.Table {
	if len(c.Carry) == 0 {
		return c.After
	}
	t := *c.After
	t.Columns = append(slices.Clone(c.After.Columns), c.Carry...)
	return &t
}
