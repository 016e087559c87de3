package differ

import (
	"fmt"
	"strings"

	"github.com/moose-dev/moose-dev/infra"
)

// ColumnRenamed is a column proposed as renamed: a removed and an added
// column that are the same but for their name.
const ColumnRenamed ColumnChangeKind = 3

// ProposeRenames replaces, in every UpdateTable, a removed column and an
// added column that match (same type and properties, and the same position
// or a similar name) by one rename. Upstream never detects renames and
// drops the column's data.
func ProposeRenames(changes []Change) []Change {
	return mapUpdates(changes, proposeColumnRenames)
}

// mapUpdates returns changes with f applied to every UpdateTable.
func mapUpdates(changes []Change, f func(UpdateTable) UpdateTable) []Change {
	out := make([]Change, len(changes))
	for i, ch := range changes {
		if u, ok := ch.(UpdateTable); ok {
			ch = f(u)
		}
		out[i] = ch
	}
	return out
}

func proposeColumnRenames(u UpdateTable) UpdateTable {
	var removed, added []int
	for i, cc := range u.Columns {
		switch cc.Kind {
		case ColumnRemoved:
			removed = append(removed, i)
		case ColumnAdded:
			added = append(added, i)
		}
	}
	if len(removed) == 0 || len(added) == 0 {
		return u
	}
	pos := func(cols []infra.Column, name string) int {
		for i, c := range cols {
			if c.Name == name {
				return i
			}
		}
		return -1
	}
	pairs := map[int]int{} // removed index -> added index
	usedAdd := map[int]bool{}
	for _, r := range removed {
		before := u.Columns[r].Before
		match := -1
		for _, a := range added {
			after := u.Columns[a].After
			if usedAdd[a] || !sameButName(before, after) {
				continue
			}
			samePlace := pos(u.Before.Columns, before.Name) == pos(u.After.Columns, after.Name)
			if !samePlace && !similarNames(before.Name, after.Name) {
				continue
			}
			if match >= 0 { // ambiguous: propose nothing for this column
				match = -2
				break
			}
			match = a
		}
		if match >= 0 {
			pairs[r], usedAdd[match] = match, true
		}
	}
	if len(pairs) == 0 {
		return u
	}
	var cols []ColumnChange
	for i, cc := range u.Columns {
		if a, ok := pairs[i]; ok {
			cols = append(cols, ColumnChange{Kind: ColumnRenamed, Before: cc.Before, After: u.Columns[a].After})
			continue
		}
		if usedAdd[i] {
			continue
		}
		cols = append(cols, cc)
	}
	u.Columns = cols
	return u
}

// UndoRenames turns proposed renames back into a removal and an addition.
func UndoRenames(changes []Change) []Change {
	return mapUpdates(changes, func(u UpdateTable) UpdateTable {
		var cols []ColumnChange
		for _, cc := range u.Columns {
			if cc.Kind != ColumnRenamed {
				cols = append(cols, cc)
				continue
			}
			var prev *string
			for j, c := range u.After.Columns {
				if c.Name == cc.After.Name && j > 0 {
					name := u.After.Columns[j-1].Name
					prev = &name
				}
			}
			cols = append(cols, ColumnChange{Kind: ColumnAdded, After: cc.After, AfterColumn: prev},
				ColumnChange{Kind: ColumnRemoved, Before: cc.Before})
		}
		u.Columns = cols
		return u
	})
}

// Renames lists the proposed renames, for confirmation.
func Renames(changes []Change) []string {
	var out []string
	for _, ch := range changes {
		if u, ok := ch.(UpdateTable); ok {
			for _, cc := range u.Columns {
				if cc.Kind == ColumnRenamed {
					out = append(out, fmt.Sprintf("rename column %s.%s to %s (keeps its data)", u.After.Name, cc.Before.Name, cc.After.Name))
				}
			}
		}
	}
	return out
}

func sameButName(a, b infra.Column) bool {
	b.Name = a.Name
	return ColumnsEquivalent(a, b)
}

// similarNames: equal ignoring case and separators, one containing the
// other, or an edit distance of at most a third of the longer name.
func similarNames(a, b string) bool {
	norm := func(s string) string { return strings.NewReplacer("_", "", "-", "").Replace(strings.ToLower(s)) }
	na, nb := norm(a), norm(b)
	if na == nb || strings.Contains(na, nb) || strings.Contains(nb, na) {
		return true
	}
	longer := len(na)
	if len(nb) > longer {
		longer = len(nb)
	}
	return editDistance(na, nb)*3 <= longer
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
