package differ

import (
	"maps"
	"slices"

	"github.com/moose-dev/moose-dev/infra"
)

// Applied is the map to store after desired was applied except for
// notApplied (changes held for a confirmation or blocked by a lifecycle):
// every resource such a change concerns stays as it was before the change,
// so the stored state describes what the database holds, never what was
// refused, and the next diff plans the change again.
//
// A change that only removes columns (a held or blocked drop) leaves the
// table with the code's columns plus the removed ones. desired is not
// modified.
func Applied(desired *infra.Map, notApplied []Change) *infra.Map {
	if len(notApplied) == 0 {
		return desired
	}
	// entries are replaced, never written into: copying the three
	// collections is enough (a deep copy costs 60 ms at 500 tables)
	shallow := *desired
	out := &shallow
	out.Tables = maps.Clone(desired.Tables)
	out.MaterializedViews = maps.Clone(desired.MaterializedViews)
	out.Views = maps.Clone(desired.Views)
	db := out.DefaultDatabase
	for _, ch := range notApplied {
		switch c := ch.(type) {
		case AddTable:
			delete(out.Tables, c.Table.ID(db))
		case DropTable:
			out.Tables[c.Table.ID(db)] = c.Table
		case RecreateTable:
			delete(out.Tables, c.After.ID(db))
			out.Tables[c.Before.ID(db)] = c.Before
		case UpdateTable:
			if removals := columnRemovals(c.Columns); len(removals) == len(c.Columns) && !c.hasTableLevel() {
				t := *c.After
				t.Columns = slices.Clone(c.After.Columns)
				for _, cc := range removals {
					if _, ok := t.Column(cc.Before.Name); !ok {
						t.Columns = append(t.Columns, cc.Before)
					}
				}
				out.Tables[c.After.ID(db)] = &t
				continue
			}
			out.Tables[c.Before.ID(db)] = c.Before
		case RenameTable:
			delete(out.Tables, c.After.ID(db))
			out.Tables[c.Before.ID(db)] = c.Before
		case AddMaterializedView:
			delete(out.MaterializedViews, c.View.Name)
		case DropMaterializedView:
			out.MaterializedViews[c.View.Name] = c.View
		case UpdateMaterializedView:
			out.MaterializedViews[c.Before.Name] = c.Before
		case AddView:
			delete(out.Views, c.View.Name)
		case DropView:
			out.Views[c.View.Name] = c.View
		case UpdateView:
			out.Views[c.Before.Name] = c.Before
		}
	}
	return out
}
