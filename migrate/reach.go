package migrate

import (
	"fmt"
	"strings"

	"github.com/moose-dev/moose-dev/differ"
	"github.com/moose-dev/moose-dev/infra"
)

// Shortfall is what a plan leaves undone: what a plan generated from the
// map the plan leads to (result) to its target (local_infra_map.json)
// would still do, after the lifecycles and ignore_operations, one line per
// table, view or SQL resource. None means the plan reaches its target.
func Shortfall(result, target *infra.Map, ig Ignore) []string {
	ch, err := Compute(result, target, ComputeOptions{Ignore: ig})
	if err != nil {
		return []string{err.Error()}
	}
	if len(ch.Ops) == 0 {
		return nil
	}
	db := result.DefaultDatabase
	var out []string
	for _, c := range ch.Changes {
		if line := shortfallLine(c, db); line != "" {
			out = append(out, line)
		}
	}
	return out
}

// shortfallLine says how result differs from the target in c, or "" for a
// change no operation makes (API endpoints, processes, ...).
func shortfallLine(c differ.Change, db string) string {
	table := func(t *infra.Table, what string) string { return "table " + differ.PhysicalKey(t, db) + ": " + what }
	view := func(kind string, database *string, name, what string) string {
		return kind + " " + differ.NameKey(database, name, db) + ": " + what
	}
	switch c := c.(type) {
	case differ.AddTable:
		return table(c.Table, "missing (the plan does not create it)")
	case differ.DropTable:
		return table(c.Table, "not in the target (the plan does not drop it)")
	case differ.RecreateTable:
		return table(c.After, "not as the target declares it ("+c.Reason+")")
	case differ.InvalidChange:
		return table(c.Table, c.Reason)
	case differ.UpdateTable:
		var parts []string
		for _, cc := range c.Columns {
			switch cc.Kind {
			case differ.ColumnAdded:
				parts = append(parts, "missing column "+cc.After.Name)
			case differ.ColumnRemoved:
				parts = append(parts, "column "+cc.Before.Name+" not in the target")
			default:
				parts = append(parts, "column "+cc.After.Name+" not as the target declares it")
			}
		}
		for _, p := range []struct {
			on   bool
			what string
		}{{c.Settings, "settings differ"}, {c.TTL, "TTL differs"}, {c.SampleBy, "SAMPLE BY differs"}} {
			if p.on {
				parts = append(parts, p.what)
			}
		}
		for _, ix := range c.IndexesAdded {
			parts = append(parts, "missing index "+ix.Name)
		}
		for _, ix := range c.IndexesDropped {
			parts = append(parts, "index "+ix.Name+" not in the target")
		}
		for _, p := range c.ProjectionsAdded {
			parts = append(parts, "missing projection "+p.Name)
		}
		for _, p := range c.ProjectionsDrop {
			parts = append(parts, "projection "+p.Name+" not in the target")
		}
		return table(c.After, strings.Join(parts, ", "))
	case differ.AddView:
		return view("view", c.View.Database, c.View.Name, "missing (the plan does not create it)")
	case differ.DropView:
		return view("view", c.View.Database, c.View.Name, "not in the target (the plan does not drop it)")
	case differ.UpdateView:
		return view("view", c.After.Database, c.After.Name, "not as the target declares it")
	case differ.AddMaterializedView:
		return view("materialized view", c.View.Database, c.View.Name, "missing (the plan does not create it)")
	case differ.DropMaterializedView:
		return view("materialized view", c.View.Database, c.View.Name, "not in the target (the plan does not drop it)")
	case differ.UpdateMaterializedView:
		return view("materialized view", c.After.Database, c.After.Name, "not as the target declares it")
	case differ.SQLResourceChange:
		switch c.Action {
		case differ.Added:
			return view("SQL resource", c.After.Database, c.After.Name, "its setup SQL is not in the plan")
		case differ.Removed:
			return view("SQL resource", c.Before.Database, c.Before.Name, "its teardown SQL is not in the plan")
		}
		return view("SQL resource", c.After.Database, c.After.Name, "not as the target declares it")
	case differ.ResourceChange:
		return ""
	}
	return fmt.Sprintf("%T", c)
}

// resulting is the state to store after a plan ran: the code's map, except
// the tables, views, materialized views and SQL resources where what the
// plan led to (result) differs from the code (a change the lifecycles
// blocked, a difference ignore_operations ignores, a plan applied with
// AllowPartial): those are stored as result has them, so that the state
// says what the database holds, never what the code claims.
func resulting(result, code *infra.Map) *infra.Map {
	return differ.Applied(code, differ.Diff(result, code))
}
