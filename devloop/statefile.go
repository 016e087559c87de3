package devloop

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/moose-dev/moose-dev/differ"
	"github.com/moose-dev/moose-dev/display"
	"github.com/moose-dev/moose-dev/infra"
)

// readState reads the stored map at path: nil, and no error, when there is
// none. A file that cannot be parsed (cut by a crash, edited by hand) is
// moved aside as `state.json.corrupt-<time>`, said in a warning, and the
// loop starts from an empty state: the first reload then rebuilds it from
// what ClickHouse and the broker hold (tables and topics the code declares
// are adopted, nothing is dropped or recreated; see differ.Reconcile).
// Only a file that cannot be read at all, or moved, is an error.
func readState(path string, p *display.Printer) (*infra.Map, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	m, perr := infra.UnmarshalMap(data)
	if perr == nil {
		return m, nil
	}
	aside := fmt.Sprintf("%s.corrupt-%s", path, time.Now().UTC().Format("20060102T150405.000Z"))
	if err := os.Rename(path, aside); err != nil {
		return nil, fmt.Errorf("reading %s: %v; moving it aside also failed: %w", path, perr, err)
	}
	if p != nil {
		p.Print(display.Line{Kind: display.Warning, Action: "State",
			Message: fmt.Sprintf("the state file could not be read (%v): moved it to %s; the state is rebuilt from what ClickHouse and the broker hold", perr, aside)})
	}
	return nil, nil
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// PendingFile (beside StateFile) lists what the last planned reload did
// not apply: changes held for a confirmation and changes a lifecycle
// blocked, for `moose-dev ls`.
const PendingFile = "pending.json"

// Pending is PendingFile's content.
type Pending struct {
	Held    []PendingChange `json:"held"`
	Blocked []PendingChange `json:"blocked"`
}

// PendingChange is one change not applied.
type PendingChange struct {
	Table  string `json:"table,omitempty"`
	Change string `json:"change"`
	Reason string `json:"reason,omitempty"`
}

// pendingOf describes held and blocked changes.
func pendingOf(held []differ.Change, blocked []differ.Blocked) Pending {
	p := Pending{Held: []PendingChange{}, Blocked: []PendingChange{}}
	for _, c := range held {
		p.Held = append(p.Held, PendingChange{Table: changedTable(c), Change: describePending(c)})
	}
	for _, b := range blocked {
		p.Blocked = append(p.Blocked, PendingChange{Table: changedTable(b.Change), Change: describePending(b.Change), Reason: b.Reason})
	}
	return p
}

func changedTable(c differ.Change) string {
	switch c := c.(type) {
	case differ.AddTable:
		return c.Table.Name
	case differ.DropTable:
		return c.Table.Name
	case differ.UpdateTable:
		return c.After.Name
	case differ.RecreateTable:
		return c.After.Name
	case differ.RenameTable:
		return c.After.Name
	}
	return ""
}

func describePending(c differ.Change) string {
	switch c := c.(type) {
	case differ.DropTable, differ.RecreateTable:
		return differ.Describe(c)
	case differ.UpdateTable:
		for _, cc := range c.Columns {
			if cc.Kind == differ.ColumnRemoved {
				return differ.Describe(c)
			}
		}
		return "change table " + c.After.Name
	case differ.AddTable:
		return "create table " + c.Table.Name
	case differ.RenameTable:
		return "rename table " + c.Before.Name + " to " + c.After.Name
	}
	return strings.TrimPrefix(fmt.Sprintf("%T", c), "differ.")
}
