package parser

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/moose-dev/moose-dev/infra"
	"github.com/moose-dev/moose-dev/parser/tsyntax"
)

// TypeScript's moose-lib takes the same resources as Python's with
// camelCase options in object literals, the engine's parameters beside
// `engine`, and a few arguments in other places. This file maps a
// TypeScript construction onto the call the shared builders read, so every
// rule past the spelling is written once.

// tsResourceClasses are the moose-lib classes whose construction
// registers a resource.
var tsResourceClasses = map[string]bool{
	"moose_lib.OlapTable": true, "moose_lib.Stream": true, "moose_lib.DeadLetterQueue": true,
	"moose_lib.IngestPipeline": true, "moose_lib.IngestApi": true, "moose_lib.Api": true,
	"moose_lib.ConsumptionApi": true, "moose_lib.MaterializedView": true, "moose_lib.View": true,
	"moose_lib.SqlResource": true, "moose_lib.Workflow": true, "moose_lib.WebApp": true,
	"moose_lib.ETLPipeline": true,
}

// tsConfig describes one options object: its Python class, and for each
// option (TypeScript name) how its value converts.
type tsConfig struct {
	class string
	opts  map[string]tsOpt
}

// tsOpt converts one option: canonical is the shared (Python) name; conv,
// when set, converts the value.
type tsOpt struct {
	canonical string
	conv      func(m *tsModule, v value, p Pos) (value, error)
}

func opt(names ...string) map[string]tsOpt {
	out := map[string]tsOpt{}
	for _, n := range names {
		out[n] = tsOpt{canonical: snakeCase(n)}
	}
	return out
}

func with(base map[string]tsOpt, name string, conv func(m *tsModule, v value, p Pos) (value, error)) map[string]tsOpt {
	o := base[name]
	if o.canonical == "" {
		o.canonical = snakeCase(name)
	}
	o.conv = conv
	base[name] = o
	return base
}

// snakeCase is "orderByFields" as the shared builders name it.
func snakeCase(s string) string {
	var b strings.Builder
	for i, r := range s {
		if r >= 'A' && r <= 'Z' {
			if i > 0 {
				b.WriteByte('_')
			}
			b.WriteRune(r - 'A' + 'a')
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

var (
	tsOlapConfig, tsStreamConfig, tsPipelineConfig, tsIngestConfig, tsApiConfig *tsConfig
	tsTransformConfig, tsConsumerConfig, tsWorkflowConfig, tsWebAppConfig       *tsConfig
)

// tsEngineOptions are the engine parameters OlapConfig takes beside
// `engine`, by TypeScript name.
var tsEngineOptions = map[string]bool{}

func init() {
	dict := func(m *tsModule, v value, p Pos) (value, error) { return m.dict(v, p, false) }
	stringDict := func(m *tsModule, v value, p Pos) (value, error) { return m.dict(v, p, true) }
	tsOlapConfig = &tsConfig{class: "moose_lib.OlapConfig", opts: opt("orderByFields", "orderByExpression", "partitionBy",
		"sampleByExpression", "primaryKeyExpression", "engine", "version", "metadata", "lifeCycle", "settings", "ttl",
		"cluster", "indexes", "projections", "constraints", "database", "seedFilter")}
	with(tsOlapConfig.opts, "metadata", dict)
	with(tsOlapConfig.opts, "settings", stringDict)
	with(tsOlapConfig.opts, "indexes", callsFrom("moose_lib.TableIndex", "name", "expression", "type", "arguments", "granularity"))
	with(tsOlapConfig.opts, "projections", callsFrom("moose_lib.TableProjection", "name", "body"))
	with(tsOlapConfig.opts, "constraints", callsFrom("moose_lib.TableConstraint", "name", "expression", "type"))
	with(tsOlapConfig.opts, "seedFilter", callFrom("moose_lib.SeedFilter", "limit", "where"))
	for _, spec := range engineParams {
		for _, p := range spec {
			tsEngineOptions[camelCase(p[0])] = true
		}
	}
	tsStreamConfig = &tsConfig{class: "moose_lib.StreamConfig", opts: opt("parallelism", "retentionPeriod", "destination",
		"version", "metadata", "lifeCycle", "defaultDeadLetterQueue", "schemaConfig")}
	with(tsStreamConfig.opts, "metadata", dict)
	with(tsStreamConfig.opts, "schemaConfig", schemaConfig)
	tsIngestConfig = &tsConfig{class: "moose_lib.IngestConfigWithDestination", opts: opt("destination", "deadLetterQueue",
		"version", "path", "metadata", "schema")}
	with(tsIngestConfig.opts, "metadata", dict)
	tsPipelineConfig = &tsConfig{class: "moose_lib.IngestPipelineConfig", opts: opt("table", "stream", "ingestApi", "ingest",
		"deadLetterQueue", "version", "path", "metadata", "lifeCycle")}
	with(tsPipelineConfig.opts, "metadata", dict)
	with(tsPipelineConfig.opts, "table", partOf("moose_lib.OlapConfig", func() *tsConfig { return tsOlapConfig }))
	with(tsPipelineConfig.opts, "stream", partOf("moose_lib.StreamConfig", func() *tsConfig { return tsStreamConfig }))
	with(tsPipelineConfig.opts, "deadLetterQueue", partOf("moose_lib.StreamConfig", func() *tsConfig { return tsStreamConfig }))
	ingestPart := partOf("moose_lib.IngestConfig", func() *tsConfig {
		return &tsConfig{class: "moose_lib.IngestConfig", opts: with(opt("version", "path", "metadata"), "metadata", dict)}
	})
	with(tsPipelineConfig.opts, "ingestApi", ingestPart)
	tsPipelineConfig.opts["ingest"] = tsOpt{canonical: "ingest", conv: ingestPart}
	tsApiConfig = &tsConfig{class: "moose_lib.ApiConfig", opts: opt("version", "path", "metadata")}
	with(tsApiConfig.opts, "metadata", dict)
	tsTransformConfig = &tsConfig{class: "moose_lib.TransformConfig", opts: opt("version", "deadLetterQueue", "metadata", "sourceFile")}
	tsConsumerConfig = &tsConfig{class: "moose_lib.ConsumerConfig", opts: opt("version", "deadLetterQueue", "sourceFile")}
	tsWorkflowConfig = &tsConfig{class: "moose_lib.WorkflowConfig", opts: opt("startingTask", "retries", "timeout", "schedule")}
	tsWebAppConfig = &tsConfig{class: "moose_lib.WebAppConfig", opts: opt("mountPath", "metadata", "injectMooseUtils")}
	with(tsWebAppConfig.opts, "metadata", callFrom("moose_lib.WebAppMetadata", "description"))
}

// config converts an options object to the shared builders' call.
func (m *tsModule) config(c *tsConfig, v value, p Pos, owner string) (value, error) {
	switch x := v.(type) {
	case noneVal:
		return noneVal{}, nil
	case callVal:
		if x.fn == c.class {
			return x, nil
		}
	case *tsObject:
		out := callVal{fn: c.class, kwargs: map[string]value{}, kwPos: map[string]Pos{}, pos: x.at}
		engineOpts := map[string]tsKV{}
		for i, k := range x.keys {
			val, kp := x.vals[i], x.pos[i]
			if _, none := val.(noneVal); none {
				continue // an option set to undefined is an option not given
			}
			o, known := c.opts[k]
			if !known {
				if c == tsOlapConfig && tsEngineOptions[k] {
					engineOpts[k] = tsKV{val, kp}
					continue
				}
				return nil, &Error{File: m.mod.file, Pos: kp, Msg: fmt.Sprintf("%s: %s has no option %q%s", owner,
					strings.TrimPrefix(c.class, "moose_lib."), k, suggest(k, c.opts))}
			}
			if c == tsOlapConfig && k == "cluster" {
				engineOpts[k] = tsKV{val, kp} // Distributed's own cluster, or the table's
			}
			if o.conv != nil {
				var err error
				if val, err = o.conv(m, val, kp); err != nil {
					return nil, err
				}
			} else {
				val = tsShared(val)
			}
			out.kwargs[o.canonical], out.kwPos[o.canonical] = val, kp
		}
		if c == tsOlapConfig {
			if err := m.engineOf(&out, engineOpts, owner); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	return nil, &Error{File: m.mod.file, Pos: p, Msg: fmt.Sprintf("%s: the %s must be an object literal known before the program runs, found %s",
		owner, strings.TrimPrefix(c.class, "moose_lib."), describe(v))}
}

type tsKV struct {
	v value
	p Pos
}

// engineOf turns `engine: ClickHouseEngines.X` and the parameters beside it
// into the engine class call Python writes (ReplacingMergeTreeEngine(ver=...)).
func (m *tsModule) engineOf(out *callVal, params map[string]tsKV, owner string) error {
	ev, hasEngine := out.kwargs["engine"]
	name := "MergeTree"
	if hasEngine {
		ref, ok := ev.(extRef)
		n, isEngine := strings.CutPrefix(ref.qual, "moose_lib.ClickHouseEngines.")
		if !ok || !isEngine {
			if s, isStr := ev.(strVal); isStr {
				n, isEngine = string(s), true
			}
		}
		if !isEngine {
			return &Error{File: m.mod.file, Pos: out.kwPos["engine"], Msg: fmt.Sprintf("%s: engine must be a ClickHouseEngines member, found %s", owner, describe(ev))}
		}
		name = n
	}
	spec, known := engineParams[name]
	if !known {
		return &Error{File: m.mod.file, Pos: out.kwPos["engine"], Msg: fmt.Sprintf("%s: ClickHouseEngines.%s is not an engine moose-dev supports", owner, name)}
	}
	call := callVal{fn: "moose_lib." + name + "Engine", kwargs: map[string]value{}, kwPos: map[string]Pos{}, pos: out.kwPos["engine"]}
	used := map[string]bool{}
	for _, p := range spec {
		if kv, ok := params[camelCase(p[0])]; ok {
			call.kwargs[p[0]], call.kwPos[p[0]] = tsShared(kv.v), kv.p
			used[camelCase(p[0])] = true
		}
	}
	if used["cluster"] {
		delete(out.kwargs, "cluster") // Distributed's cluster is the engine's
		delete(out.kwPos, "cluster")
	}
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !used[k] && k != "cluster" {
			return &Error{File: m.mod.file, Pos: params[k].p, Msg: fmt.Sprintf("%s: %q is not a parameter of the %s engine", owner, k, name)}
		}
	}
	if hasEngine || len(used) > 0 {
		out.kwargs["engine"] = call
		if !hasEngine {
			out.kwPos["engine"] = out.pos
		}
	}
	return nil
}

// tsShared converts values the builders read as Python's: lifecycles and
// engines by their library names, objects as dicts.
func tsShared(v value) value {
	switch x := v.(type) {
	case strVal:
		return x
	case *tsObject:
		d := dictVal{}
		for i, k := range x.keys {
			d.keys = append(d.keys, strVal(k))
			d.vals = append(d.vals, tsShared(x.vals[i]))
		}
		return d
	case listVal:
		out := make(listVal, len(x))
		for i, it := range x {
			out[i] = tsShared(it)
		}
		return out
	case sqlVal:
		return strVal(x.text)
	}
	return v
}

// schemaConfig is a stream's schema registry reference in the map's form:
// the object with its keys in snake_case ({"kind": "JSON", "reference":
// {"subject_latest": "x"}}).
func schemaConfig(m *tsModule, v value, p Pos) (value, error) {
	var conv func(v value) (any, bool)
	conv = func(v value) (any, bool) {
		switch x := v.(type) {
		case *tsObject:
			out := map[string]any{}
			for i, k := range x.keys {
				c, ok := conv(x.vals[i])
				if !ok {
					return nil, false
				}
				out[snakeCase(k)] = c
			}
			return out, true
		case strVal:
			return string(x), true
		case intVal:
			return int64(x), true
		case boolVal:
			return bool(x), true
		}
		return nil, false
	}
	out, ok := conv(v)
	if _, isObj := v.(*tsObject); !ok || !isObj {
		return nil, &Error{File: m.mod.file, Pos: p, Msg: "schemaConfig must be an object literal { kind, reference } known before the program runs, found " + describe(v)}
	}
	data, err := json.Marshal(out)
	if err != nil {
		return nil, err
	}
	return rawJSON(data), nil
}

// dict converts an object to a dict; with strs, values become strings as
// upstream's String(value) does for settings.
func (m *tsModule) dict(v value, p Pos, strs bool) (value, error) {
	o, ok := v.(*tsObject)
	if !ok {
		return nil, &Error{File: m.mod.file, Pos: p, Msg: fmt.Sprintf("expected an object literal, found %s", describe(v))}
	}
	d := dictVal{}
	for i, k := range o.keys {
		val := tsShared(o.vals[i])
		if _, none := val.(noneVal); none && strs {
			continue
		}
		if strs {
			s, ok := tsString(val)
			if !ok {
				return nil, &Error{File: m.mod.file, Pos: o.pos[i], Msg: fmt.Sprintf("setting %q must be a string, number or boolean known before the program runs, found %s", k, describe(val))}
			}
			val = strVal(s)
		}
		d.keys, d.vals = append(d.keys, strVal(k)), append(d.vals, val)
	}
	return d, nil
}

// callFrom converts an object to a call of class with the given options.
func callFrom(class string, names ...string) func(m *tsModule, v value, p Pos) (value, error) {
	c := &tsConfig{class: class, opts: opt(names...)}
	return func(m *tsModule, v value, p Pos) (value, error) {
		return m.config(c, v, p, strings.TrimPrefix(class, "moose_lib."))
	}
}

// callsFrom converts a list of objects to a list of calls.
func callsFrom(class string, names ...string) func(m *tsModule, v value, p Pos) (value, error) {
	one := callFrom(class, names...)
	return func(m *tsModule, v value, p Pos) (value, error) {
		items, ok := elements(v)
		if !ok {
			return nil, &Error{File: m.mod.file, Pos: p, Msg: fmt.Sprintf("expected a list of objects, found %s", describe(v))}
		}
		out := listVal{}
		for _, it := range items {
			c, err := one(m, it, p)
			if err != nil {
				return nil, err
			}
			out = append(out, c)
		}
		return out, nil
	}
}

// partOf converts an IngestPipeline part: true, false, or its options.
func partOf(class string, cfg func() *tsConfig) func(m *tsModule, v value, p Pos) (value, error) {
	return func(m *tsModule, v value, p Pos) (value, error) {
		if b, ok := v.(boolVal); ok {
			return b, nil
		}
		return m.config(cfg(), v, p, "IngestPipeline")
	}
}

// suggest names the option a misspelt one probably meant.
func suggest(k string, opts map[string]tsOpt) string {
	lk := strings.ToLower(k)
	var near []string
	for name := range opts {
		ln := strings.ToLower(name)
		if ln == lk || snakeCase(name) == k || (len(lk) >= 3 && (strings.HasPrefix(ln, lk) || strings.HasPrefix(lk, ln))) {
			near = append(near, fmt.Sprintf("%q", name))
		}
	}
	if len(near) == 0 {
		return ""
	}
	sort.Strings(near)
	return " (did you mean " + strings.Join(near, " or ") + "?)"
}

// ---- construction ----

// construct is `new X<T>(args)`.
func (m *tsModule) construct(x *tsyntax.New) (value, error) {
	callee, err := m.eval(x.Callee)
	if err != nil {
		return nil, err
	}
	args, argPos, err := m.args(x.Args)
	if err != nil {
		return nil, err
	}
	ref, ok := callee.(extRef)
	if !ok || !strings.HasPrefix(ref.qual, "moose_lib.") {
		return unknownVal{pos: tsPos(x.P), why: "an instance of " + describe(callee)}, nil
	}
	cls := strings.TrimPrefix(ref.qual, "moose_lib.")
	at := tsPos(x.P)
	call := callVal{fn: ref.qual, args: args, argPos: argPos, kwargs: map[string]value{}, kwPos: map[string]Pos{}, pos: at}
	models := func(n int) (genericVal, error) {
		g := genericVal{base: ref, pos: at}
		if len(x.TypeArgs) < n {
			return g, m.errAt(x.P, "new %s needs its type argument (%s<T>): upstream's compiler plugin reads the schema from it", cls, cls)
		}
		for _, t := range x.TypeArgs {
			g.params = append(g.params, m.model(t))
		}
		return g, nil
	}
	cfgArg := func(i int, c *tsConfig) error {
		if i >= len(call.args) {
			return nil
		}
		v, err := m.config(c, call.args[i], call.argPos[i], cls)
		if err != nil {
			return err
		}
		call.args[i] = v
		return nil
	}
	switch cls {
	case "OlapTable", "Stream", "DeadLetterQueue", "IngestPipeline", "IngestApi":
		g, err := models(1)
		if err != nil {
			return nil, err
		}
		if mv, ok := g.params[0].(*modelVal); ok {
			mv.ts.allowIndex = cls == "Stream" || cls == "IngestApi" || cls == "DeadLetterQueue" ||
				(cls == "IngestPipeline" && len(call.args) > 1 && pipelineWithoutTable(call.args[1]))
			// a type with an index signature takes fields it does not name
			mv.extraAllow = mv.ts.allowIndex && hasIndexSignature(m, mv.ts.typ, 0)
		}
		c := map[string]*tsConfig{"OlapTable": tsOlapConfig, "Stream": tsStreamConfig, "DeadLetterQueue": tsStreamConfig,
			"IngestPipeline": tsPipelineConfig, "IngestApi": tsIngestConfig}[cls]
		if cls == "IngestPipeline" {
			if len(call.args) < 2 {
				return nil, m.errAt(x.P, "new IngestPipeline needs its options: { table, stream, ingestApi, ... }")
			}
			if o, ok := call.args[1].(*tsObject); ok {
				// TypeScript's pipeline makes a dead letter queue only when
				// asked, and `ingest` (deprecated) counts only without ingestApi
				c := &tsObject{at: o.at}
				api, _, hasAPI := o.get("ingestApi")
				if _, none := api.(noneVal); none {
					hasAPI = false
				}
				for i, k := range o.keys {
					if k == "ingest" && hasAPI {
						continue
					}
					c.set(k, o.vals[i], o.pos[i])
				}
				if _, _, ok := c.get("deadLetterQueue"); !ok {
					c.set("deadLetterQueue", boolVal(false), o.at)
				}
				call.args[1] = c
			}
		}
		if err := cfgArg(1, c); err != nil {
			return nil, err
		}
		g.params = g.params[:1]
		return genericResources[ref.qual](m.prog.ev, m.mod, g, call)
	case "Api", "ConsumptionApi":
		g, err := models(1)
		if err != nil {
			return nil, err
		}
		if mv, ok := g.params[0].(*modelVal); ok {
			mv.ts.apiParams = true
		}
		if err := cfgArg(2, tsApiConfig); err != nil {
			return nil, err
		}
		before := len(m.prog.ev.out.APIEndpoints)
		v, err := genericResources[ref.qual](m.prog.ev, m.mod, g, call)
		if err != nil || len(call.args) < 2 || len(m.prog.ev.out.APIEndpoints) == before {
			return v, err
		}
		id := "EGRESS_" + apiName(v)
		if c, ok := call.args[len(call.args)-1].(callVal); ok && len(call.args) > 2 {
			if ver, ok := c.kwargs["version"].(strVal); ok {
				id += "_" + strings.ReplaceAll(string(ver), ".", "_")
			}
		}
		if a := m.prog.ev.out.APIEndpoints[id]; a != nil {
			a.PullsDataFrom, a.PushesDataTo = m.prog.ev.lineageOf(call.args[1])
		}
		return v, nil
	case "MaterializedView":
		g, err := models(1)
		if err != nil {
			return nil, err
		}
		if call, err = m.materializedViewCall(call); err != nil {
			return nil, err
		}
		return genericResources[ref.qual](m.prog.ev, m.mod, g, call)
	case "View":
		if len(call.args) == 2 { // View(name, { selectStatement, baseTables, database, metadata })
			o, ok := call.args[1].(*tsObject)
			if !ok {
				return nil, &Error{File: m.mod.file, Pos: call.argPos[1], Msg: "new View takes (name, config) or (name, selectStatement, baseTables, metadata), found " + describe(call.args[1])}
			}
			call.args, call.argPos = call.args[:1], call.argPos[:1]
			for i, k := range o.keys {
				canon := map[string]string{"selectStatement": "select_statement", "baseTables": "base_tables", "database": "database", "metadata": "metadata"}[k]
				if canon == "" {
					return nil, &Error{File: m.mod.file, Pos: o.pos[i], Msg: fmt.Sprintf("View has no option %q", k)}
				}
				call.kwargs[canon], call.kwPos[canon] = tsShared(o.vals[i]), o.pos[i]
			}
			if sel, _, ok := o.get("selectStatement"); ok {
				s, err := m.staticText(sel, call.kwPos["select_statement"], "View selectStatement")
				if err != nil {
					return nil, err
				}
				call.kwargs["select_statement"] = strVal(s)
			}
			return plainResources[ref.qual](m.prog.ev, m.mod, call)
		}
		if len(call.args) > 3 { // View(name, select, baseTables, metadata)
			call.kwargs["metadata"], call.kwPos["metadata"] = tsShared(call.args[3]), call.argPos[3]
			call.args, call.argPos = call.args[:3], call.argPos[:3]
		}
		if err := m.staticSQL(&call, 1, "View selectStatement"); err != nil {
			return nil, err
		}
		return plainResources[ref.qual](m.prog.ev, m.mod, call)
	case "SqlResource":
		for i := 1; i <= 2 && i < len(call.args); i++ {
			items, ok := elements(call.args[i])
			if !ok {
				continue
			}
			out := listVal{}
			for _, it := range items {
				s, err := m.staticText(it, call.argPos[i], "SqlResource statement")
				if err != nil {
					return nil, err
				}
				out = append(out, strVal(s))
			}
			call.args[i] = out
		}
		if len(call.args) > 3 {
			if o, ok := call.args[3].(*tsObject); ok {
				for _, k := range []string{"pullsDataFrom", "pushesDataTo"} {
					if v, p, ok := o.get(k); ok {
						call.kwargs[snakeCase(k)], call.kwPos[snakeCase(k)] = v, p
					}
				}
			}
			call.args, call.argPos = call.args[:3], call.argPos[:3]
		}
		return plainResources[ref.qual](m.prog.ev, m.mod, call)
	case "Workflow":
		if err := cfgArg(1, tsWorkflowConfig); err != nil {
			return nil, err
		}
		v, err := plainResources[ref.qual](m.prog.ev, m.mod, call)
		if err != nil {
			return nil, err
		}
		w := m.prog.ev.out.Workflows[apiName(v)]
		w.Path = w.Name // TypeScript's workflows are found by name
		// upstream follows a task's code (and its onComplete children's)
		// only when the task is built in place or bound to an unexported
		// name of the workflow's file
		if c, ok := call.args[1].(callVal); ok {
			if task, ok := c.kwargs["starting_task"].(callVal); ok {
				var handlers []value
				m.followedTasks(task, &handlers, 0)
				w.PullsDataFrom, w.PushesDataTo = m.prog.ev.lineageOf(listVal(handlers))
			}
		}
		return v, nil
	case "WebApp":
		if err := cfgArg(2, tsWebAppConfig); err != nil {
			return nil, err
		}
		// TypeScript's library requires a mount path, and not "/" (it would
		// cover the reserved routes)
		var mount value = noneVal{}
		if len(call.args) > 2 {
			if c, ok := call.args[2].(callVal); ok && c.kwargs["mount_path"] != nil {
				mount = c.kwargs["mount_path"]
			}
		}
		switch s := mount.(type) {
		case strVal:
			if s == "/" {
				return nil, m.errAt(x.P, "WebApp: mountPath cannot be \"/\": its routes would cover the dev server's reserved paths (%s)", strings.Join(reservedMountPaths, ", "))
			}
		default:
			return nil, m.errAt(x.P, "WebApp needs a mountPath (e.g. \"/myapp\") known before the program runs")
		}
		v, err := plainResources[ref.qual](m.prog.ev, m.mod, call)
		if err != nil {
			return nil, err
		}
		if w := m.prog.ev.out.WebApps[apiName(v)]; w != nil && len(call.args) > 1 {
			w.PullsDataFrom, w.PushesDataTo = m.prog.ev.lineageOf(call.args[1])
		}
		return v, nil
	case "Task":
		call.file = m.mod.file
		return call, nil
	}
	return unknownVal{pos: at, why: "an instance of " + cls}, nil
}

// hasIndexSignature reports whether a model type (through aliases,
// intersections and extends) declares `[key: string]: T`.
func hasIndexSignature(s tsScope, t tsyntax.Type, depth int) bool {
	if depth > 16 {
		return false
	}
	members := func(ms []tsyntax.TypeMember) bool {
		for _, mem := range ms {
			if _, ok := mem.(*tsyntax.IndexSig); ok {
				return true
			}
		}
		return false
	}
	switch x := t.(type) {
	case *tsyntax.ParenType:
		return hasIndexSignature(s, x.Type, depth+1)
	case *tsyntax.ObjectType:
		return members(x.Members)
	case *tsyntax.IntersectionType:
		for _, it := range x.Types {
			if hasIndexSignature(s, it, depth+1) {
				return true
			}
		}
	case *tsyntax.TypeRef:
		b, ok := s.lookupType(x.Name)
		if !ok || b.Decl == nil {
			return false
		}
		switch d := b.Decl.(type) {
		case *tsyntax.InterfaceDecl:
			if members(d.Members) {
				return true
			}
			for _, e := range d.Extends {
				if hasIndexSignature(b.Scope, e, depth+1) {
					return true
				}
			}
		case *tsyntax.TypeAliasDecl:
			return hasIndexSignature(b.Scope, d.Type, depth+1)
		}
	}
	return false
}

// pipelineWithoutTable reports whether IngestPipeline options turn the
// table off.
func pipelineWithoutTable(v value) bool {
	o, ok := v.(*tsObject)
	if !ok {
		return false
	}
	t, _, ok := o.get("table")
	return ok && (t == value(boolVal(false)) || t == value(noneVal{}))
}

// followedTasks collects the run functions of a task and its onComplete
// children that upstream's lineage pass follows: tasks of this file that
// no export names.
func (m *tsModule) followedTasks(task callVal, out *[]value, depth int) {
	if depth > 32 || task.file != m.mod.file || m.exportsTask(task) || len(task.args) < 2 {
		return
	}
	o, ok := task.args[1].(*tsObject)
	if !ok {
		return
	}
	if run, _, ok := o.get("run"); ok {
		*out = append(*out, run)
	}
	if next, _, ok := o.get("onComplete"); ok {
		items, _ := elements(next)
		for _, it := range items {
			if child, ok := it.(callVal); ok {
				m.followedTasks(child, out, depth+1)
			}
		}
	}
}

// exportsTask reports whether an export of the module names the task.
func (m *tsModule) exportsTask(task callVal) bool {
	for _, e := range m.exports {
		if e.reexp != nil {
			continue
		}
		if b := m.decls[e.local]; b != nil && b.isVar && b.set {
			if c, ok := b.val.(callVal); ok && c.fn == task.fn && c.pos == task.pos && c.file == task.file {
				return true
			}
		}
	}
	return false
}

// apiName is the name of a registered resource value.
func apiName(v value) string {
	if r, ok := v.(resourceVal); ok {
		return r.name
	}
	return ""
}

// materializedViewCall maps TypeScript's one options object onto Python's
// MaterializedViewOptions and target_table.
func (m *tsModule) materializedViewCall(call callVal) (callVal, error) {
	if len(call.args) != 1 {
		return call, &Error{File: m.mod.file, Pos: call.pos, Msg: "new MaterializedView takes one options object"}
	}
	o, ok := call.args[0].(*tsObject)
	if !ok {
		return call, &Error{File: m.mod.file, Pos: call.argPos[0], Msg: "MaterializedView options must be an object literal known before the program runs, found " + describe(call.args[0])}
	}
	opts := callVal{fn: "moose_lib.MaterializedViewOptions", kwargs: map[string]value{}, kwPos: map[string]Pos{}, pos: o.at}
	allowed := map[string]bool{"selectStatement": true, "selectTables": true, "tableName": true, "materializedViewName": true,
		"engine": true, "targetTable": true, "orderByFields": true, "metadata": true, "lifeCycle": true}
	out := callVal{fn: call.fn, args: []value{opts}, argPos: []Pos{o.at}, kwargs: map[string]value{}, kwPos: map[string]Pos{}, pos: call.pos}
	for i, k := range o.keys {
		v, p := o.vals[i], o.pos[i]
		if !allowed[k] {
			return call, &Error{File: m.mod.file, Pos: p, Msg: fmt.Sprintf("MaterializedView has no option %q", k)}
		}
		if _, none := v.(noneVal); none {
			continue
		}
		switch k {
		case "selectStatement":
			s, err := m.staticText(v, p, "MaterializedView selectStatement")
			if err != nil {
				return call, err
			}
			v = strVal(s)
		case "targetTable":
			if t, ok := v.(tableVal); ok {
				out.kwargs["target_table"], out.kwPos["target_table"] = t, p
				continue
			}
			to, ok := v.(*tsObject)
			if !ok {
				return call, &Error{File: m.mod.file, Pos: p, Msg: "MaterializedView targetTable must be an OlapTable or { name, engine, orderByFields }, found " + describe(v)}
			}
			for j, tk := range to.keys {
				canon := map[string]string{"name": "table_name", "engine": "engine", "orderByFields": "order_by_fields"}[tk]
				if canon == "" {
					return call, &Error{File: m.mod.file, Pos: to.pos[j], Msg: fmt.Sprintf("MaterializedView targetTable has no option %q", tk)}
				}
				opts.kwargs[canon], opts.kwPos[canon] = tsShared(to.vals[j]), to.pos[j]
			}
			continue
		case "engine":
			if _, set := opts.kwargs["engine"]; set {
				continue // targetTable's engine wins
			}
			tmp := callVal{kwargs: map[string]value{"engine": v}, kwPos: map[string]Pos{"engine": p}, pos: p}
			if err := m.engineOf(&tmp, nil, "MaterializedView"); err != nil {
				return call, err
			}
			v = tmp.kwargs["engine"]
		case "tableName", "orderByFields":
			if _, set := opts.kwargs[snakeCase(k)]; set {
				continue // targetTable's wins
			}
		}
		opts.kwargs[snakeCase(k)], opts.kwPos[snakeCase(k)] = tsShared(v), p
	}
	out.args[0] = opts
	return out, nil
}

// staticSQL makes argument i of a call static SQL text.
func (m *tsModule) staticSQL(call *callVal, i int, what string) error {
	if i >= len(call.args) {
		return nil
	}
	s, err := m.staticText(call.args[i], call.argPos[i], what)
	if err != nil {
		return err
	}
	call.args[i] = strVal(s)
	return nil
}

// staticText is a string or a `sql` template without parameters, as
// upstream's toStaticQuery accepts.
func (m *tsModule) staticText(v value, p Pos, what string) (string, error) {
	switch x := v.(type) {
	case strVal:
		return string(x), nil
	case sqlVal:
		if len(x.params) > 0 {
			return "", &Error{File: m.mod.file, Pos: x.paramPos[0], Msg: fmt.Sprintf("%s: a value interpolated into sql`...` becomes a query parameter, and upstream refuses dynamic SQL here (\"Dynamic SQL is not allowed in the select statement in view creation\"): interpolate tables, columns or sql fragments only, or use sql.raw()", what)}
		}
		return x.text, nil
	}
	return "", &Error{File: m.mod.file, Pos: p, Msg: fmt.Sprintf("%s must be a string or a sql`...` template known before the program runs, found %s", what, describe(v))}
}

// model is a resource's type argument, read by the type reader.
func (m *tsModule) model(t tsyntax.Type) value {
	return &modelVal{name: tsTypeName(m, t), file: m.mod.file, pos: tsPos(t.Position()), ts: &tsModel{scope: m, typ: t}}
}

// tsModel is a TypeScript model: its type as written, and the scope its
// names resolve in; allowIndex for the resources whose type may carry an
// index signature (streams, ingest APIs, a pipeline without a table).
type tsModel struct {
	scope      tsScope
	typ        tsyntax.Type
	allowIndex bool
	apiParams  bool // an Api's query parameters (typia's HTTP query rules)
}

func (m *tsModule) args(list []tsyntax.Expr) ([]value, []Pos, error) {
	var vals []value
	var pos []Pos
	for _, a := range list {
		if sp, ok := a.(*tsyntax.Spread); ok {
			v, err := m.eval(sp.Arg)
			if err != nil {
				return nil, nil, err
			}
			items, ok := elements(v)
			if !ok {
				vals, pos = append(vals, unknownVal{pos: tsPos(sp.P), why: "a spread argument"}), append(pos, tsPos(sp.P))
				continue
			}
			for _, it := range items {
				vals, pos = append(vals, it), append(pos, tsPos(sp.P))
			}
			continue
		}
		v, err := m.eval(a)
		if err != nil {
			return nil, nil, err
		}
		vals, pos = append(vals, v), append(pos, tsPos(a.Position()))
	}
	return vals, pos, nil
}

// ---- calls ----

func (m *tsModule) call(x *tsyntax.Call) (value, error) {
	if mem, ok := x.Callee.(*tsyntax.Member); ok {
		// a method of a string or an array, evaluated as JavaScript does
		base, err := m.eval(mem.X)
		if err != nil {
			return nil, err
		}
		switch base.(type) {
		case strVal, listVal:
			args, _, err := m.args(x.Args)
			if err != nil {
				return nil, err
			}
			if v, ok := builtinMethod(base, mem.Name, args); ok {
				return v, nil
			}
			return unknownVal{pos: tsPos(x.P), why: fmt.Sprintf("the result of %s.%s(...)", describe(base), mem.Name)}, nil
		}
	}
	callee, err := m.eval(x.Callee)
	if err != nil {
		return nil, err
	}
	args, argPos, err := m.args(x.Args)
	if err != nil {
		return nil, err
	}
	at := tsPos(x.P)
	switch f := callee.(type) {
	case methodVal:
		if _, ok := f.recv.(streamVal); ok {
			return m.streamMethod(f, args, argPos, at)
		}
		c := callVal{args: args, argPos: argPos, kwargs: map[string]value{}, kwPos: map[string]Pos{}, pos: at}
		return m.prog.ev.callMethod(m.mod, f, c) // a pipeline's getTable() and the like
	case funcVal:
		if f.creates != nil {
			return nil, &Error{File: m.mod.file, Pos: at, Msg: fmt.Sprintf("calling %s() creates %s %s at run time (%s:%d:%d): moose-dev reads resources only from module-level statements; define each one at module level",
				f.name, article(f.creates.Text), f.creates.Text, f.file, f.creates.Pos.Line, f.creates.Pos.Col)}
		}
		if v, ok, err := m.prog.callPure(f, args); ok || err != nil {
			return v, err
		}
	case extRef:
		switch f.qual {
		case "moose_lib.mooseRuntimeEnv.get", "moose_lib.mooseEnvSecrets.get":
			if len(args) == 1 {
				if name, ok := args[0].(strVal); ok {
					return strVal("__MOOSE_RUNTIME_ENV__:" + string(name)), nil
				}
			}
			return nil, &Error{File: m.mod.file, Pos: at, Msg: "mooseRuntimeEnv.get takes the name of an environment variable as a string literal"}
		case "moose_lib.sql.raw":
			if len(args) == 1 {
				if s, ok := args[0].(strVal); ok {
					return sqlVal{text: string(s)}, nil
				}
			}
		case "moose_lib.sql.join":
			return m.sqlJoin(args, argPos, at)
		case "js.String":
			if len(args) == 1 {
				if s, ok := tsString(args[0]); ok {
					return strVal(s), nil
				}
			}
		case "js.Number":
			if len(args) == 1 {
				if f, ok := tsFloat(args[0]); ok {
					return tsNumberOf(f), nil
				}
				if s, ok := args[0].(strVal); ok {
					if v := tsNumber(strings.TrimSpace(string(s))); v != nil {
						if _, bad := v.(unknownVal); !bad {
							return v, nil
						}
					}
				}
			}
		case "js.Math.min", "js.Math.max", "js.Math.floor", "js.Math.ceil", "js.Math.round", "js.Math.abs", "js.Math.trunc", "js.Math.pow":
			if v, ok := mathCall(strings.TrimPrefix(f.qual, "js.Math."), args); ok {
				return v, nil
			}
		}
		if strings.HasPrefix(f.qual, "js.process.env") {
			return unknownVal{pos: at, why: "a value read from the environment at run time"}, nil
		}
	}
	return unknownVal{pos: at, why: "the result of calling " + describe(callee)}, nil
}

// builtinMethod is a string's or an array's method with known arguments,
// for the ones configs use.
func builtinMethod(base value, name string, args []value) (value, bool) {
	strArg := func(i int) (string, bool) {
		if i >= len(args) {
			return "", false
		}
		s, ok := args[i].(strVal)
		return string(s), ok
	}
	intArg := func(i int, def int) (int, bool) {
		if i >= len(args) {
			return def, true
		}
		if _, none := args[i].(noneVal); none {
			return def, true
		}
		n, ok := args[i].(intVal)
		return int(n), ok
	}
	slice := func(n int) (int, int, bool) {
		from, ok1 := intArg(0, 0)
		to, ok2 := intArg(1, n)
		if !ok1 || !ok2 {
			return 0, 0, false
		}
		if from < 0 {
			from += n
		}
		if to < 0 {
			to += n
		}
		from, to = max(0, min(from, n)), max(0, min(to, n))
		if to < from {
			to = from
		}
		return from, to, true
	}
	switch b := base.(type) {
	case strVal:
		s := string(b)
		switch name {
		case "toUpperCase", "toLocaleUpperCase":
			return strVal(strings.ToUpper(s)), true
		case "toLowerCase", "toLocaleLowerCase":
			return strVal(strings.ToLower(s)), true
		case "trim":
			return strVal(strings.TrimSpace(s)), true
		case "trimStart":
			return strVal(strings.TrimLeft(s, " \t\n\r")), true
		case "trimEnd":
			return strVal(strings.TrimRight(s, " \t\n\r")), true
		case "toString", "valueOf":
			return b, true
		case "concat":
			for _, a := range args {
				t, ok := tsString(a)
				if !ok {
					return nil, false
				}
				s += t
			}
			return strVal(s), true
		case "split":
			sep, ok := strArg(0)
			if !ok {
				return nil, false
			}
			out := listVal{}
			for _, part := range strings.Split(s, sep) {
				out = append(out, strVal(part))
			}
			return out, true
		case "replace", "replaceAll":
			old, ok1 := strArg(0)
			repl, ok2 := strArg(1)
			if !ok1 || !ok2 || strings.Contains(repl, "$") {
				return nil, false
			}
			if name == "replace" {
				return strVal(strings.Replace(s, old, repl, 1)), true
			}
			return strVal(strings.ReplaceAll(s, old, repl)), true
		case "slice", "substring":
			from, to, ok := slice(len(s))
			if !ok {
				return nil, false
			}
			return strVal(s[from:to]), true
		case "repeat":
			n, ok := intArg(0, 0)
			if !ok || n < 0 || n > 1<<16 {
				return nil, false
			}
			return strVal(strings.Repeat(s, n)), true
		case "startsWith", "endsWith", "includes":
			t, ok := strArg(0)
			if !ok {
				return nil, false
			}
			f := map[string]func(string, string) bool{"startsWith": strings.HasPrefix, "endsWith": strings.HasSuffix, "includes": strings.Contains}[name]
			return boolVal(f(s, t)), true
		}
	case listVal:
		switch name {
		case "join":
			sep := ","
			if len(args) > 0 {
				t, ok := strArg(0)
				if !ok {
					return nil, false
				}
				sep = t
			}
			parts := make([]string, len(b))
			for i, it := range b {
				t, ok := tsString(it)
				if !ok {
					return nil, false
				}
				if _, none := it.(noneVal); none {
					t = ""
				}
				parts[i] = t
			}
			return strVal(strings.Join(parts, sep)), true
		case "slice":
			from, to, ok := slice(len(b))
			if !ok {
				return nil, false
			}
			return append(listVal{}, b[from:to]...), true
		case "concat":
			out := append(listVal{}, b...)
			for _, a := range args {
				if items, ok := elements(a); ok {
					out = append(out, items...)
				} else {
					out = append(out, a)
				}
			}
			return out, true
		}
	}
	return nil, false
}

// mathCall is Math.fn over known numbers.
func mathCall(fn string, args []value) (value, bool) {
	nums := make([]float64, len(args))
	for i, a := range args {
		f, ok := tsFloat(a)
		if !ok {
			return nil, false
		}
		nums[i] = f
	}
	switch fn {
	case "min", "max":
		if len(nums) == 0 {
			return nil, false
		}
		r := nums[0]
		for _, n := range nums[1:] {
			if fn == "min" {
				r = math.Min(r, n)
			} else {
				r = math.Max(r, n)
			}
		}
		return tsNumberOf(r), true
	case "pow":
		if len(nums) == 2 {
			return tsNumberOf(math.Pow(nums[0], nums[1])), true
		}
	}
	if len(nums) != 1 {
		return nil, false
	}
	f := map[string]func(float64) float64{"floor": math.Floor, "ceil": math.Ceil, "abs": math.Abs, "trunc": math.Trunc,
		"round": func(x float64) float64 { return math.Floor(x + 0.5) }}[fn]
	return tsNumberOf(f(nums[0])), true
}

// callPure evaluates a call of a project function whose body is one
// expression (`(a) => a * 2`, `function f(a) { return a * 2 }`) over
// known arguments, as a config value; ok is false for any other function.
func (pr *tsProgram) callPure(f funcVal, args []value) (value, bool, error) {
	if f.ts == nil || pr.depth > 32 {
		return nil, false, nil
	}
	fn := f.ts.f
	body := fn.ExprBody
	if body == nil && fn.Body != nil && len(fn.Body.Stmts) == 1 {
		if r, ok := fn.Body.Stmts[0].(*tsyntax.Jump); ok && r.Kind == "return" && r.Expr != nil {
			body = r.Expr
		}
	}
	if body == nil {
		return nil, false, nil
	}
	scope := &tsModule{prog: pr, mod: f.ts.m.mod, ast: f.ts.m.ast, decls: make(map[string]*tsBinding, len(f.ts.m.decls)+len(fn.Params)),
		exports: f.ts.m.exports, stars: f.ts.m.stars, valueOf: f.ts.m.valueOf, done: true}
	for k, v := range f.ts.m.decls {
		scope.decls[k] = v
	}
	for i, p := range fn.Params {
		id, ok := p.Name.(*tsyntax.Ident)
		if !ok || p.Rest {
			return nil, false, nil
		}
		var v value = noneVal{}
		if i < len(args) {
			v = args[i]
		}
		if _, none := v.(noneVal); none && p.Default != nil {
			d, err := scope.eval(p.Default)
			if err != nil {
				return nil, false, err
			}
			v = d
		}
		scope.decls[id.Name] = &tsBinding{name: id.Name, isVar: true, set: true, val: v}
	}
	pr.depth++
	defer func() { pr.depth-- }()
	v, err := scope.eval(body)
	if err != nil {
		return nil, false, err
	}
	if _, unknown := v.(unknownVal); unknown {
		return nil, false, nil
	}
	return v, true, nil
}

// streamMethod is addTransform, addConsumer or addMultiTransform: the
// shared flow rules (callMethod) read them as Python's add_transform and
// add_consumer.
func (m *tsModule) streamMethod(f methodVal, args []value, argPos []Pos, at Pos) (value, error) {
	c := callVal{args: args, argPos: argPos, kwargs: map[string]value{}, kwPos: map[string]Pos{}, pos: at}
	cfgAt := map[string]int{"addTransform": 2, "addConsumer": 1}[f.name]
	switch f.name {
	case "addMultiTransform":
		return noneVal{}, nil // upstream derives no process from it
	case "addTransform":
		if len(args) == 0 {
			return nil, &Error{File: m.mod.file, Pos: at, Msg: "addTransform needs the destination stream and the transform function"}
		}
		if _, ok := args[0].(streamVal); !ok {
			return nil, &Error{File: m.mod.file, Pos: argPos[0], Msg: "addTransform needs the destination Stream first, found " + describe(args[0])}
		}
	}
	if cfgAt < len(args) {
		cfg := map[string]*tsConfig{"addTransform": tsTransformConfig, "addConsumer": tsConsumerConfig}[f.name]
		v, err := m.config(cfg, args[cfgAt], argPos[cfgAt], f.name)
		if err != nil {
			return nil, err
		}
		c.args[cfgAt] = v
	}
	name := map[string]string{"addTransform": "add_transform", "addConsumer": "add_consumer"}[f.name]
	return m.prog.ev.callMethod(m.mod, methodVal{recv: f.recv, name: name}, c)
}

// ---- sql templates ----

// sqlVal is a `sql` template: its text with tables and columns rendered
// as upstream's Sql does, and the values that would be query parameters.
type sqlVal struct {
	text     string
	params   []value
	paramPos []Pos
}

func (m *tsModule) sqlTemplate(x *tsyntax.Template) (value, error) {
	var sb strings.Builder
	out := sqlVal{}
	for i, q := range x.Cooked {
		if q == nil {
			return nil, m.errAt(x.P, "sql template: an invalid escape sequence")
		}
		sb.WriteString(*q)
		if i >= len(x.Exprs) {
			break
		}
		v, err := m.eval(x.Exprs[i])
		if err != nil {
			return nil, err
		}
		switch y := v.(type) {
		case tableVal:
			sb.WriteString(sqlRef(y.t.Database, y.t.Name))
		case viewVal:
			sb.WriteString(sqlRef(y.v.Database, y.v.Name))
		case tsColumnRef:
			sb.WriteString(columnSQL(y.c))
		case sqlVal:
			sb.WriteString(y.text)
			out.params = append(out.params, y.params...)
			out.paramPos = append(out.paramPos, y.paramPos...)
		default:
			p := tsPos(x.Exprs[i].Position())
			if u, ok := v.(unknownVal); ok {
				return nil, &Error{File: m.mod.file, Pos: p, Msg: "sql template: the interpolated value is " + u.why + ", not known before the program runs"}
			}
			fmt.Fprintf(&sb, "{p%d:%s}", len(out.params), "String")
			out.params = append(out.params, v)
			out.paramPos = append(out.paramPos, p)
		}
	}
	out.text = sb.String()
	return out, nil
}

// columnSQL is a column interpolated into sql: its quoted name, or the
// -Merge combinator of an aggregated column, as upstream renders it.
func columnSQL(c infra.Column) string {
	for _, a := range c.Annotations {
		if a.Key != "aggregationFunction" {
			continue
		}
		var fn struct {
			FunctionName string `json:"functionName"`
		}
		if err := json.Unmarshal(a.Value, &fn); err == nil && fn.FunctionName != "" {
			if i := strings.IndexByte(fn.FunctionName, '('); i >= 0 {
				return fmt.Sprintf("%sMerge%s(`%s`)", fn.FunctionName[:i], fn.FunctionName[i:], c.Name)
			}
			return fmt.Sprintf("%sMerge(`%s`)", fn.FunctionName, c.Name)
		}
	}
	return "`" + c.Name + "`"
}

func (m *tsModule) sqlJoin(args []value, argPos []Pos, at Pos) (value, error) {
	if len(args) == 0 {
		return nil, &Error{File: m.mod.file, Pos: at, Msg: "sql.join needs a list of sql fragments"}
	}
	items, ok := elements(args[0])
	if !ok {
		return unknownVal{pos: at, why: "sql.join of " + describe(args[0])}, nil
	}
	sep := ", "
	if len(args) > 1 {
		s, ok := args[1].(strVal)
		if !ok {
			return unknownVal{pos: at, why: "sql.join with separator " + describe(args[1])}, nil
		}
		sep = string(s)
		if !strings.Contains(sep, " ") {
			sep = " " + sep + " "
		}
	}
	out := sqlVal{}
	var parts []string
	for _, it := range items {
		s, ok := it.(sqlVal)
		if !ok {
			return unknownVal{pos: at, why: "sql.join of " + describe(it)}, nil
		}
		parts = append(parts, s.text)
		out.params, out.paramPos = append(out.params, s.params...), append(out.paramPos, s.paramPos...)
	}
	out.text = strings.Join(parts, sep)
	return out, nil
}
