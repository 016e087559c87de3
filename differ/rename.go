package differ

import (
	"fmt"
	"strings"

	"github.com/moose-dev/moose-dev/infra"
)

// ColumnRenamed is a column proposed as renamed: a removed and an added
// column that are the same but for their name.
const ColumnRenamed ColumnChangeKind = 3

// RenameTable is a table proposed as renamed: a dropped and an added table
// that are the same but for their name.
type RenameTable struct{ Before, After *infra.Table }

func (RenameTable) isChange() {}

// ProposeRenames replaces, in every UpdateTable, a removed column and an
// added column that match (same type and properties, and the same position
// or a similar name) by one rename; and a dropped table and an added one
// that match (same database and definition, similar names) by a table
// rename. Upstream never detects renames and drops the data.
func ProposeRenames(changes []Change) []Change {
	return proposeTableRenames(mapUpdates(changes, proposeColumnRenames))
}

// uniquePairs pairs left i with right j where match(i, j) holds and
// neither has another candidate: an ambiguous match proposes nothing.
func uniquePairs(left, right []int, match func(l, r int) bool) map[int]int {
	cands := map[int][]int{}
	perRight := map[int]int{}
	for _, l := range left {
		for _, r := range right {
			if match(l, r) {
				cands[l] = append(cands[l], r)
				perRight[r]++
			}
		}
	}
	pairs := map[int]int{}
	for l, rs := range cands {
		if len(rs) == 1 && perRight[rs[0]] == 1 {
			pairs[l] = rs[0]
		}
	}
	return pairs
}

func proposeTableRenames(changes []Change) []Change {
	var drops, adds []int
	for i, c := range changes {
		switch c.(type) {
		case DropTable:
			drops = append(drops, i)
		case AddTable:
			adds = append(adds, i)
		}
	}
	pairs := uniquePairs(drops, adds, func(d, a int) bool {
		before, after := changes[d].(DropTable).Table, changes[a].(AddTable).Table
		return before.Name != after.Name && sameTableButName(before, after) && similarNames(before.Name, after.Name)
	})
	if len(pairs) == 0 {
		return changes
	}
	used := map[int]bool{}
	for _, a := range pairs {
		used[a] = true
	}
	var out []Change
	for i, c := range changes {
		if a, ok := pairs[i]; ok {
			out = append(out, RenameTable{Before: c.(DropTable).Table, After: changes[a].(AddTable).Table})
		} else if !used[i] {
			out = append(out, c)
		}
	}
	return out
}

// sameTableButName: the same database and nothing the differ would change.
func sameTableButName(a, b *infra.Table) bool {
	if str(a.Database) != str(b.Database) {
		return false
	}
	renamed := *b
	renamed.Name, renamed.Version = a.Name, a.Version
	return diffTable(a, &renamed) == nil
}

// mapUpdates returns changes with f applied to every UpdateTable.
func mapUpdates(changes []Change, f func(UpdateTable) UpdateTable) []Change {
	out := make([]Change, len(changes))
	for i, ch := range changes {
		switch c := ch.(type) {
		case UpdateTable:
			ch = f(c)
		case RecreateTable: // its column diff, as an update's
			c.Columns = f(UpdateTable{Before: c.Before, After: c.After, Columns: c.Columns}).Columns
			ch = c
		}
		out[i] = ch
	}
	return out
}

// tableColumns is the table and column diff of an UpdateTable or a
// RecreateTable.
func tableColumns(ch Change) (after *infra.Table, cols []ColumnChange, ok bool) {
	switch c := ch.(type) {
	case UpdateTable:
		return c.After, c.Columns, true
	case RecreateTable:
		return c.After, c.Columns, true
	}
	return nil, nil, false
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
	pos := func(cols []infra.Column, name string) int {
		for i, c := range cols {
			if c.Name == name {
				return i
			}
		}
		return -1
	}
	pairs := uniquePairs(removed, added, func(r, a int) bool {
		before, after := u.Columns[r].Before, u.Columns[a].After
		samePlace := pos(u.Before.Columns, before.Name) == pos(u.After.Columns, after.Name)
		return sameButName(before, after) && (samePlace || similarNames(before.Name, after.Name))
	})
	if len(pairs) == 0 {
		return u
	}
	// the rename takes the addition's place, in the desired column order,
	// so that undoing it adds the column before those placed after it
	removedFor := map[int]int{}
	for r, a := range pairs {
		removedFor[a] = r
	}
	var cols []ColumnChange
	for i, cc := range u.Columns {
		if _, ok := pairs[i]; ok {
			continue
		}
		if r, ok := removedFor[i]; ok {
			cols = append(cols, ColumnChange{Kind: ColumnRenamed, Before: u.Columns[r].Before, After: cc.After})
			continue
		}
		cols = append(cols, cc)
	}
	u.Columns = cols
	return u
}

// UndoRenames turns proposed renames back into a removal and an addition.
func UndoRenames(changes []Change) []Change {
	var out []Change
	for _, c := range changes {
		if r, ok := c.(RenameTable); ok {
			out = append(out, AddTable{r.After}, DropTable{r.Before})
			continue
		}
		out = append(out, c)
	}
	return mapUpdates(out, func(u UpdateTable) UpdateTable {
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
		if r, ok := ch.(RenameTable); ok {
			out = append(out, fmt.Sprintf("rename table %s to %s (keeps its rows)", r.Before.Name, r.After.Name))
		}
		if after, cols, ok := tableColumns(ch); ok {
			for _, cc := range cols {
				if cc.Kind == ColumnRenamed {
					out = append(out, fmt.Sprintf("rename column %s.%s to %s (keeps its data)", after.Name, cc.Before.Name, cc.After.Name))
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

// SetAsideRenames takes out of changes every change that a proposed rename
// is part of (the table's whole update or recreate, a table rename), for
// when the question is still open: none of it applies until it is answered,
// so that neither answer finds the other half-done. The rest applies.
func SetAsideRenames(changes []Change) (rest, aside []Change) {
	for _, ch := range changes {
		_, isRename := ch.(RenameTable)
		if _, cols, ok := tableColumns(ch); ok {
			for _, cc := range cols {
				isRename = isRename || cc.Kind == ColumnRenamed
			}
		}
		if isRename {
			aside = append(aside, ch)
		} else {
			rest = append(rest, ch)
		}
	}
	return rest, aside
}
