package devloop

import (
	"errors"
	"fmt"
	"os"
	"time"

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
