package differ

import (
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"

	"github.com/moose-dev/moose-dev/infra"
)

// Action says whether a resource appears, goes or changes.
type Action int

// The three actions.
const (
	Added Action = iota
	Removed
	Updated
)

// SQLResourceChange adds, drops or updates one of upstream's legacy SQL
// resources: its setup statements run when it appears, its teardown when
// it goes, both (teardown first) when it changes.
type SQLResourceChange struct {
	Action        Action
	Before, After *infra.SQLResource
}

// ResourceChange is a change to a resource that holds nothing in ClickHouse
// or the broker: an API endpoint, a web app, a sync or function process, a
// workflow. It is shown and recorded in the state; moose-dev runs none of
// these (no Python runtime), so it plans no operation for them.
type ResourceChange struct {
	Kind          string // ApiEndpoint, WebApp, TopicToTableSyncProcess, FunctionProcess, Workflow
	Action        Action
	ID            string
	Before, After any
}

func (SQLResourceChange) isChange() {}
func (ResourceChange) isChange()    {}

// diffResources compares one collection by id, in id order.
func diffResources[T any](before, after map[string]*T, equal func(a, b *T) bool, change func(a Action, id string, b, af *T) Change) []Change {
	var out []Change
	for _, id := range union(slices.Sorted(maps.Keys(before)), slices.Sorted(maps.Keys(after))) {
		b, inB := before[id]
		a, inA := after[id]
		switch {
		case !inB:
			out = append(out, change(Added, id, nil, a))
		case !inA:
			out = append(out, change(Removed, id, b, nil))
		case !equal(b, a):
			out = append(out, change(Updated, id, b, a))
		}
	}
	return out
}

// resource builds the ResourceChange of a kind.
func resource[T any](kind string) func(Action, string, *T, *T) Change {
	return func(a Action, id string, b, af *T) Change {
		c := ResourceChange{Kind: kind, Action: a, ID: id}
		if b != nil {
			c.Before = b
		}
		if af != nil {
			c.After = af
		}
		return c
	}
}

// sameJSON compares two values as canonical JSON (keys sorted at every
// level), which normalizes the raw JSON some resources carry: an API's type
// reads back from the state file with its keys sorted. Values equal as Go
// values are equal without that work.
func sameJSON(a, b any) bool {
	if reflect.DeepEqual(a, b) { // the common case, without encoding anything
		return true
	}
	ja, errA := canonicalJSON(a)
	jb, errB := canonicalJSON(b)
	return errA == nil && errB == nil && ja == jb
}

func canonicalJSON(v any) (string, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	var generic any
	if err := json.Unmarshal(raw, &generic); err != nil {
		return "", err
	}
	out, err := json.Marshal(generic) // maps marshal with sorted keys
	return string(out), err
}

// withoutMetadata compares ignoring a metadata field, as upstream does for
// API endpoints, web apps and function processes.
func withoutMetadata[T any](clear func(*T)) func(a, b *T) bool {
	return func(a, b *T) bool {
		ca, cb := *a, *b
		clear(&ca)
		clear(&cb)
		return sameJSON(ca, cb)
	}
}

func diffAPIs(current, desired *infra.Map) []Change {
	return diffResources(current.APIEndpoints, desired.APIEndpoints,
		withoutMetadata(func(e *infra.APIEndpoint) { e.Metadata = nil }), resource[infra.APIEndpoint]("ApiEndpoint"))
}

func diffWebApps(current, desired *infra.Map) []Change {
	return diffResources(current.WebApps, desired.WebApps,
		withoutMetadata(func(w *infra.WebApp) { w.Metadata = nil }), resource[infra.WebApp]("WebApp"))
}

func diffSQLResources(current, desired *infra.Map) []Change {
	return diffResources(current.SQLResources, desired.SQLResources, SQLResourcesEqual, func(a Action, _ string, b, af *infra.SQLResource) Change {
		return SQLResourceChange{Action: a, Before: b, After: af}
	})
}

// SQLResourcesEqual is upstream's SqlResource equality: the same lineage,
// and the same setup and teardown statements after SQL normalization
// (formatting, keyword case, backticks), so an introspected resource equals
// the one the code declares. The database is not compared: the map key
// already holds it.
func SQLResourcesEqual(a, b *infra.SQLResource) bool {
	sameSQL := func(x, y []string) bool {
		return slices.EqualFunc(x, y, func(p, q string) bool { return p == q || NormalizeSQL(p) == NormalizeSQL(q) })
	}
	return a.Name == b.Name && slices.Equal(a.PullsDataFrom, b.PullsDataFrom) && slices.Equal(a.PushesDataTo, b.PushesDataTo) &&
		sameSQL(a.Setup, b.Setup) && sameSQL(a.Teardown, b.Teardown)
}

// diffProcesses compares sync and function processes by value. Upstream
// reports every function process as updated on every reload (it restarts
// them); moose-dev runs none, so it reports only real changes.
func diffProcesses(current, desired *infra.Map) []Change {
	out := diffResources(current.TopicToTableSyncProcesses, desired.TopicToTableSyncProcesses,
		func(a, b *infra.TopicToTableSyncProcess) bool { return sameJSON(a, b) }, resource[infra.TopicToTableSyncProcess]("TopicToTableSyncProcess"))
	return append(out, diffResources(current.FunctionProcesses, desired.FunctionProcesses,
		withoutMetadata(func(f *infra.FunctionProcess) { f.Metadata = nil }), resource[infra.FunctionProcess]("FunctionProcess"))...)
}

// diffWorkflows: a workflow changes when its schedule, retries, timeout or
// lineage (as sets) do, as upstream.
func diffWorkflows(current, desired *infra.Map) []Change {
	return diffResources(current.Workflows, desired.Workflows, func(a, b *infra.Workflow) bool {
		return a.Config.Schedule == b.Config.Schedule && a.Config.Retries == b.Config.Retries && a.Config.Timeout == b.Config.Timeout &&
			sameSignatures(a.PullsDataFrom, b.PullsDataFrom) && sameSignatures(a.PushesDataTo, b.PushesDataTo)
	}, resource[infra.Workflow]("Workflow"))
}

func sameSignatures(a, b []infra.Signature) bool {
	key := func(ss []infra.Signature) []string {
		out := make([]string, len(ss))
		for i, s := range ss {
			out[i] = s.Kind + "\x00" + s.ID
		}
		slices.Sort(out)
		return slices.Compact(out)
	}
	return slices.Equal(key(a), key(b))
}

// sqlResourceOps runs a resource's teardown (when it goes or changes) and
// setup (when it appears or changes) as RawSql steps.
func sqlResourceOps(c SQLResourceChange) (teardown, setup []infra.Operation) {
	if c.Before != nil && c.Action != Added && len(c.Before.Teardown) > 0 {
		teardown = append(teardown, infra.RawSQL{SQL: c.Before.Teardown, Description: fmt.Sprintf("Running teardown SQL for resource %s", c.Before.Name)})
	}
	if c.After != nil && c.Action != Removed && len(c.After.Setup) > 0 {
		setup = append(setup, infra.RawSQL{SQL: c.After.Setup, Description: fmt.Sprintf("Running setup SQL for resource %s", c.After.Name)})
	}
	return teardown, setup
}

// ActionOf says whether a change adds, removes or updates its resource (a
// recreate or a rename updates it).
func ActionOf(c Change) Action {
	switch c := c.(type) {
	case AddTable, AddTopic, AddMaterializedView, AddView:
		return Added
	case DropTable, DropTopic, DropMaterializedView, DropView:
		return Removed
	case SQLResourceChange:
		return c.Action
	case ResourceChange:
		return c.Action
	}
	return Updated
}
