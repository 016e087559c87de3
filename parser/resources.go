package parser

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/moose-dev/moose-dev/infra"
)

// The moose_lib resources besides OlapTable (olap.go): streams and their
// flows, pipelines, APIs, views, SQL resources, workflows and web apps.

type genericBuilder func(ev *evaluator, m *module, g genericVal, c callVal) (value, error)
type plainBuilder func(ev *evaluator, m *module, c callVal) (value, error)

var genericResources map[string]genericBuilder
var plainResources map[string]plainBuilder

func init() {
	genericResources = map[string]genericBuilder{
		"moose_lib.OlapTable":        (*evaluator).olapTable,
		"moose_lib.Stream":           (*evaluator).stream,
		"moose_lib.DeadLetterQueue":  (*evaluator).deadLetterQueue,
		"moose_lib.IngestPipeline":   (*evaluator).ingestPipeline,
		"moose_lib.IngestApi":        (*evaluator).ingestAPI,
		"moose_lib.Api":              (*evaluator).consumptionAPI,
		"moose_lib.ConsumptionApi":   (*evaluator).consumptionAPI,
		"moose_lib.MaterializedView": (*evaluator).materializedView,
	}
	plainResources = map[string]plainBuilder{
		"moose_lib.View":        (*evaluator).view,
		"moose_lib.SqlResource": (*evaluator).sqlResource,
		"moose_lib.Workflow":    (*evaluator).workflow,
		"moose_lib.WebApp":      (*evaluator).webApp,
	}
}

// flow is what a stream feeds: its destination table, transforms and
// consumers (upstream's sync and function processes).
type flow struct {
	topic      *infra.Topic
	dest       *infra.Table
	destPos    Pos
	file       string
	defaultDLQ *infra.Topic // the stream's default dead letter queue
	transforms []transform
	consumers  []consumer
}

type transform struct {
	target      *infra.Topic
	version     *string
	file        string
	dlq         *infra.Topic
	description *string
}

type consumer struct {
	version *string
	file    string
	dlq     *infra.Topic
}

// flowConfig reads what a transform's or consumer's config says about the
// process: version, dead letter queue, metadata description.
func flowConfig(cfg value) (version *string, dlq *infra.Topic, description *string) {
	cc, ok := cfg.(callVal)
	if !ok {
		return nil, nil, nil
	}
	version, _ = optStr(cc.kwargs["version"])
	if d, ok := cc.kwargs["dead_letter_queue"].(streamVal); ok {
		dlq = d.t
	}
	if md, ok := cc.kwargs["metadata"].(dictVal); ok {
		for i, k := range md.keys {
			if k == strVal("description") {
				description, _ = optStr(md.vals[i])
			}
		}
	}
	return version, dlq, description
}

func (ev *evaluator) flowOf(t *infra.Topic) *flow {
	f, ok := ev.flows[t]
	if !ok {
		f = &flow{topic: t}
		ev.flows[t] = f
		ev.flowOrder = append(ev.flowOrder, t)
	}
	return f
}

// resourceAttr is `resource.attr`: the parts of a pipeline, a stream's
// methods, a table's name...
func resourceAttr(r value, attr string, p Pos) value {
	switch x := r.(type) {
	case pipelineVal:
		switch attr {
		case "table":
			return optionalPart(x.table != nil, tableVal{x.table})
		case "stream":
			return optionalPart(x.stream != nil, streamVal{x.stream})
		case "dead_letter_queue":
			return optionalPart(x.dlq != nil, streamVal{x.dlq})
		case "ingest_api":
			if x.api != nil {
				return resourceVal{"IngestApi", x.api.Name}
			}
			return noneVal{}
		case "get_table", "get_stream", "get_dead_letter_queue", "get_ingest_api":
			return methodVal{recv: r, name: attr}
		}
	case tableVal:
		switch attr {
		case "name":
			return strVal(x.t.Name)
		case "cols", "columns":
			names := map[string]bool{}
			for _, c := range x.t.Columns {
				names[c.Name] = true
			}
			return colsVal{names}
		}
	case streamVal:
		switch attr {
		case "name":
			return strVal(x.t.Name)
		case "add_transform", "add_consumer", "set_multi_transform", "send", "routed":
			return methodVal{recv: r, name: attr}
		}
	case mvVal:
		switch attr {
		case "target_table":
			return tableVal{x.target}
		case "name":
			return strVal(x.mv.Name)
		}
	case viewVal:
		if attr == "name" {
			return strVal(x.v.Name)
		}
	}
	return unknownVal{pos: p, why: fmt.Sprintf("attribute %q of %s", attr, describe(r))}
}

func optionalPart(present bool, v value) value {
	if !present {
		return noneVal{}
	}
	return v
}

func (ev *evaluator) callMethod(m *module, mv methodVal, c callVal) (value, error) {
	switch recv := mv.recv.(type) {
	case pipelineVal:
		part := resourceAttr(recv, strings.TrimPrefix(mv.name, "get_"), c.pos)
		if _, isNone := part.(noneVal); isNone {
			return nil, ev.errAt(m.file, c.pos, "%s: this pipeline has no %s", mv.name, strings.TrimPrefix(mv.name, "get_"))
		}
		return part, nil
	case streamVal:
		f := ev.flowOf(recv.t)
		switch mv.name {
		case "add_transform":
			dv, p, ok := c.argument(0, "destination")
			dest, isStream := dv.(streamVal)
			if !ok || !isStream {
				return nil, ev.errAt(m.file, p, "add_transform needs the destination Stream first, found %s", describe(dv))
			}
			tr := transform{target: dest.t, file: m.file}
			if cfg, _, ok := c.argument(2, "config"); ok {
				tr.version, tr.dlq, tr.description = flowConfig(cfg)
			}
			f.transforms = append(f.transforms, tr)
		case "add_consumer":
			cs := consumer{file: m.file}
			if cfg, _, ok := c.argument(1, "config"); ok {
				cs.version, cs.dlq, _ = flowConfig(cfg)
			}
			f.consumers = append(f.consumers, cs)
		}
		return noneVal{}, nil
	}
	return unknownVal{pos: c.pos, why: "the result of " + describe(mv)}, nil
}

func optStr(v value) (*string, bool) {
	if s, ok := v.(strVal); ok {
		str := string(s)
		return &str, true
	}
	return nil, v == nil || v == value(noneVal{})
}

// ---- streams ----

var streamConfigFields = map[string]bool{"parallelism": true, "retention_period": true, "destination": true,
	"version": true, "metadata": true, "life_cycle": true, "default_dead_letter_queue": true, "schema_config": true}

func (ev *evaluator) stream(m *module, g genericVal, c callVal) (value, error) {
	_, name, cols, err := ev.resourceHead(m, "Stream", g, c)
	if err != nil {
		return nil, err
	}
	cfg, err := ev.configArg(m, c, 1, "moose_lib.StreamConfig", "Stream")
	if err != nil {
		return nil, err
	}
	t, err := ev.buildTopic(m, name, cols, cfg, c.pos, "")
	if err != nil {
		return nil, err
	}
	return streamVal{t}, nil
}

// configArg reads an optional config argument that must be a call of fn.
func (ev *evaluator) configArg(m *module, c callVal, i int, fn, owner string) (*callVal, error) {
	cv, p, ok := c.argument(i, "config")
	if !ok {
		return nil, nil
	}
	if _, isNone := cv.(noneVal); isNone {
		return nil, nil
	}
	cc, ok := cv.(callVal)
	if !ok || cc.fn != fn {
		return nil, ev.errAt(m.file, p, "%s config must be a %s(...), found %s", owner, shortName(strings.TrimPrefix(fn, "moose_lib.")), describe(cv))
	}
	return &cc, nil
}

func (ev *evaluator) buildTopic(m *module, name string, cols []infra.Column, cfg *callVal, at Pos, lifeCycle infra.LifeCycle) (*infra.Topic, error) {
	t := &infra.Topic{Name: name, RetentionPeriod: infra.Duration{Secs: 604800}, PartitionCount: 1,
		MaxMessageBytes: 1048576, Columns: cols, LifeCycle: infra.FullyManaged,
		SourcePrimitive: infra.PrimitiveSignature{Name: name, PrimitiveType: "DataModel"},
		Metadata:        ev.metadata(m), SchemaConfig: []byte("null")}
	if lifeCycle != "" {
		t.LifeCycle = lifeCycle
	}
	var dest *infra.Table
	var defaultDLQ *infra.Topic
	var destPos Pos
	if cfg != nil {
		if len(cfg.args) > 0 {
			return nil, ev.errAt(m.file, cfg.pos, "StreamConfig takes keyword arguments only")
		}
		for k, v := range cfg.kwargs {
			p := cfg.kwPos[k]
			if !streamConfigFields[k] {
				return nil, ev.errAt(m.file, p, "StreamConfig has no field %q", k)
			}
			var err error
			switch k {
			case "parallelism":
				n, ok := v.(intVal)
				if !ok || n < 1 {
					return nil, ev.errAt(m.file, p, "StreamConfig parallelism must be a positive integer, found %s", describe(v))
				}
				t.PartitionCount = int(n)
			case "retention_period":
				n, ok := v.(intVal)
				if !ok || n < 0 {
					return nil, ev.errAt(m.file, p, "StreamConfig retention_period must be a number of seconds, found %s", describe(v))
				}
				t.RetentionPeriod = infra.Duration{Secs: uint64(n)}
			case "version":
				t.Version, err = ev.optString(m, p, k, v)
			case "life_cycle":
				if _, isNone := v.(noneVal); !isNone {
					t.LifeCycle, err = ev.lifeCycle(m, p, v)
				}
			case "metadata":
				err = ev.applyMetadata(m, p, t.Metadata, v)
			case "default_dead_letter_queue":
				if d, ok := v.(streamVal); ok {
					defaultDLQ = d.t
				}
			case "schema_config":
				if raw, ok := v.(rawJSON); ok {
					t.SchemaConfig = []byte(raw)
				}
			case "destination":
				switch d := v.(type) {
				case tableVal:
					dest, destPos = d.t, p
				case noneVal:
				default:
					return nil, ev.errAt(m.file, p, "StreamConfig destination must be an OlapTable, found %s", describe(v))
				}
			}
			if err != nil {
				return nil, err
			}
		}
	}
	if err := ev.register("Stream", name, m.file, at); err != nil {
		return nil, err
	}
	ev.out.AddTopic(t)
	f := ev.flowOf(t)
	f.dest, f.destPos, f.file, f.defaultDLQ = dest, destPos, m.file, defaultDLQ
	return t, nil
}

// deadLetterColumns are the columns of the library's DeadLetterModel:
// Python's snake_case model, or TypeScript's interface as its compiler
// plugin reads it (camelCase, the record as JSON with empty options, the
// source a plain string).
func (ev *evaluator) deadLetterColumns() []infra.Column {
	if ev.lang == typescript {
		return []infra.Column{
			{Name: "originalRecord", DataType: infra.JSONOptions{}, Required: true, Annotations: []infra.Annotation{}},
			{Name: "errorMessage", DataType: infra.String, Required: true, Annotations: []infra.Annotation{}},
			{Name: "errorType", DataType: infra.String, Required: true, Annotations: []infra.Annotation{}},
			{Name: "failedAt", DataType: infra.DateTime, Required: true, Annotations: []infra.Annotation{}},
			{Name: "source", DataType: infra.String, Required: true, Annotations: []infra.Annotation{}},
		}
	}
	lc := []infra.Annotation{{Key: "LowCardinality", Value: json.RawMessage("true")}}
	return []infra.Column{
		{Name: "original_record", DataType: infra.JSON, Required: true},
		{Name: "error_message", DataType: infra.String, Required: true},
		{Name: "error_type", DataType: infra.String, Required: true},
		{Name: "failed_at", DataType: infra.DateTime, Required: true},
		{Name: "source", DataType: infra.String, Required: true, Annotations: lc},
	}
}

func (ev *evaluator) deadLetterQueue(m *module, g genericVal, c callVal) (value, error) {
	if _, err := ev.modelParam(m, "DeadLetterQueue", g); err != nil {
		return nil, err
	}
	name, err := ev.resourceName(m, "DeadLetterQueue", c)
	if err != nil {
		return nil, err
	}
	cfg, err := ev.configArg(m, c, 1, "moose_lib.StreamConfig", "DeadLetterQueue")
	if err != nil {
		return nil, err
	}
	t, err := ev.buildTopic(m, name, ev.deadLetterColumns(), cfg, c.pos, "")
	if err != nil {
		return nil, err
	}
	return streamVal{t}, nil
}

// ---- IngestPipeline ----

var pipelineConfigFields = map[string]bool{"table": true, "stream": true, "ingest_api": true, "ingest": true,
	"dead_letter_queue": true, "version": true, "path": true, "metadata": true, "life_cycle": true}

func (ev *evaluator) ingestPipeline(m *module, g genericVal, c callVal) (value, error) {
	mv, name, cols, err := ev.resourceHead(m, "IngestPipeline", g, c)
	if err != nil {
		return nil, err
	}
	cfg, err := ev.configArg(m, c, 1, "moose_lib.IngestPipelineConfig", "IngestPipeline")
	if err != nil {
		return nil, err
	}
	if cfg == nil {
		return nil, ev.errAt(m.file, c.pos, "IngestPipeline needs an IngestPipelineConfig(...)")
	}
	for k, p := range cfg.kwPos {
		if !pipelineConfigFields[k] {
			return nil, ev.errAt(m.file, p, "IngestPipelineConfig has no field %q", k)
		}
	}
	version, err := ev.optString(m, cfg.kwPos["version"], "version", orNone(cfg.kwargs["version"]))
	if err != nil {
		return nil, err
	}
	var lc infra.LifeCycle
	if v, ok := cfg.kwargs["life_cycle"]; ok {
		if _, isNone := v.(noneVal); !isNone {
			if lc, err = ev.lifeCycle(m, cfg.kwPos["life_cycle"], v); err != nil {
				return nil, err
			}
		}
	}
	// part returns (enabled, explicit config) for a component: True means
	// defaults (and the pipeline's lifecycle), a config object is taken as
	// is (upstream's Python applies the pipeline lifecycle only to True).
	part := func(key string, def bool, fn string) (bool, *callVal, error) {
		v, ok := cfg.kwargs[key]
		if !ok {
			return def, nil, nil
		}
		switch x := v.(type) {
		case boolVal:
			return bool(x), nil, nil
		case noneVal:
			return false, nil, nil
		case callVal:
			if x.fn == fn {
				return true, &x, nil
			}
		}
		return false, nil, ev.errAt(m.file, cfg.kwPos[key], "IngestPipelineConfig %s must be True, False or a %s(...), found %s", key, shortName(strings.TrimPrefix(fn, "moose_lib.")), describe(v))
	}
	withVersion := func(cc *callVal, lifeCycle bool) *callVal {
		out := callVal{fn: "", kwargs: map[string]value{}, kwPos: map[string]Pos{}, pos: c.pos}
		if cc != nil {
			out = *cc
			out.kwargs, out.kwPos = map[string]value{}, map[string]Pos{}
			for k, v := range cc.kwargs {
				out.kwargs[k], out.kwPos[k] = v, cc.kwPos[k]
			}
		}
		if version != nil {
			out.kwargs["version"] = strVal(*version)
		}
		if lifeCycle && cc == nil && lc != "" {
			out.kwargs["life_cycle"] = extRef{"moose_lib.LifeCycle." + string(lc)}
		}
		if ev.lang.pipelineMetadata {
			delete(out.kwargs, "metadata")
			if md, ok := cfg.kwargs["metadata"]; ok {
				out.kwargs["metadata"] = md
			}
		}
		return &out
	}
	pv := pipelineVal{}
	tableOn, tableCfg, err := part("table", true, "moose_lib.OlapConfig")
	if err != nil {
		return nil, err
	}
	if tableOn {
		if pv.table, err = ev.buildTable(m, mv, name, cols, withVersion(tableCfg, true), c.pos, ""); err != nil {
			return nil, err
		}
	}
	dlqOn, dlqCfg, err := part("dead_letter_queue", true, "moose_lib.StreamConfig")
	if err != nil {
		return nil, err
	}
	if dlqOn {
		if pv.dlq, err = ev.buildTopic(m, name+"DeadLetterQueue", ev.deadLetterColumns(), withVersion(dlqCfg, false), c.pos, ""); err != nil {
			return nil, err
		}
	}
	streamOn, streamCfg, err := part("stream", true, "moose_lib.StreamConfig")
	if err != nil {
		return nil, err
	}
	if streamOn {
		sc := withVersion(streamCfg, true)
		if d, ok := sc.kwargs["destination"]; ok && tableOn && d != value(noneVal{}) {
			return nil, ev.errAt(m.file, sc.kwPos["destination"], "the destination of the pipeline's stream is the pipeline's table: remove destination")
		}
		if pv.table != nil {
			sc.kwargs["destination"] = tableVal{pv.table}
		}
		if pv.dlq != nil {
			if _, own := sc.kwargs["default_dead_letter_queue"]; !own {
				sc.kwargs["default_dead_letter_queue"] = streamVal{pv.dlq}
			}
		}
		if pv.stream, err = ev.buildTopic(m, name, cols, sc, c.pos, ""); err != nil {
			return nil, err
		}
	}
	apiKey := "ingest_api"
	if _, ok := cfg.kwargs["ingest"]; ok {
		apiKey = "ingest"
	}
	apiOn, apiCfg, err := part(apiKey, true, "moose_lib.IngestConfig")
	if err != nil {
		return nil, err
	}
	if apiOn {
		if pv.stream == nil {
			return nil, ev.errAt(m.file, c.pos, "IngestPipeline %q: an ingest API needs a stream to write to", name)
		}
		path, _ := optStr(cfg.kwargs["path"])
		if apiCfg != nil {
			if p, ok := optStr(apiCfg.kwargs["path"]); ok && p != nil {
				path = p
			}
		}
		md := &infra.Metadata{Source: &infra.SourceLocation{File: m.file}}
		mdFrom := cfg
		if !ev.lang.pipelineMetadata {
			mdFrom = apiCfg // TypeScript: the API's own metadata, never the pipeline's
		}
		if mdFrom != nil {
			if v, ok := mdFrom.kwargs["metadata"]; ok {
				if err := ev.applyMetadata(m, mdFrom.kwPos["metadata"], md, v); err != nil {
					return nil, err
				}
			}
		}
		if pv.api, err = ev.addIngestAPI(m, mv, name, cols, pv.stream, pv.dlq, version, path, md, c.pos); err != nil {
			return nil, err
		}
	}
	return pv, nil
}

func orNone(v value) value {
	if v == nil {
		return noneVal{}
	}
	return v
}

// ---- APIs ----

func (ev *evaluator) ingestAPI(m *module, g genericVal, c callVal) (value, error) {
	mv, name, cols, err := ev.resourceHead(m, "IngestApi", g, c)
	if err != nil {
		return nil, err
	}
	cfg, err := ev.configArg(m, c, 1, "moose_lib.IngestConfigWithDestination", "IngestApi")
	if err != nil {
		return nil, err
	}
	if cfg == nil {
		return nil, ev.errAt(m.file, c.pos, "IngestApi needs an IngestConfigWithDestination(destination=...)")
	}
	dest, ok := cfg.kwargs["destination"].(streamVal)
	if !ok {
		return nil, ev.errAt(m.file, cfg.pos, "IngestApi destination must be a Stream")
	}
	var dlq *infra.Topic
	if d, ok := cfg.kwargs["dead_letter_queue"].(streamVal); ok {
		dlq = d.t
	}
	version, _ := optStr(cfg.kwargs["version"])
	path, _ := optStr(cfg.kwargs["path"])
	md := ev.metadata(m)
	if v, ok := cfg.kwargs["metadata"]; ok {
		if err := ev.applyMetadata(m, cfg.kwPos["metadata"], md, v); err != nil {
			return nil, err
		}
	}
	api, err := ev.addIngestAPI(m, mv, name, cols, dest.t, dlq, version, path, md, c.pos)
	if err != nil {
		return nil, err
	}
	return resourceVal{"IngestApi", api.Name}, nil
}

func (ev *evaluator) addIngestAPI(m *module, mv *modelVal, name string, cols []infra.Column, dest, dlq *infra.Topic,
	version, path *string, md *infra.Metadata, at Pos) (*infra.APIEndpoint, error) {
	schema, err := ev.modelSchema(mv, cols)
	if err != nil {
		return nil, err
	}
	if err := ev.register("IngestApi", name, m.file, at); err != nil {
		return nil, err
	}
	p := "ingest/" + name
	if version != nil {
		p += "/" + *version
	}
	if path != nil {
		p = *path
		if !strings.HasPrefix(p, "ingest/") {
			p = "ingest/" + p
		}
		if version != nil && !strings.HasSuffix(p, "/"+*version) {
			p = strings.TrimSuffix(p, "/") + "/" + *version
		}
	}
	var dlqName *string
	if dlq != nil {
		dlqName = &dlq.Name
	}
	dataModel := map[string]any{
		"name": name, "version": "0.0", "columns": cols, "abs_file_path": ev.mainFile, "allow_extra_fields": mv.extraAllow,
		"config": map[string]any{"ingestion": map[string]any{}, "parallelism": 1, "metadata": nil,
			"storage": map[string]any{"enabled": true, "order_by_fields": []string{}, "deduplicate": false, "name": nil}},
	}
	apiType, err := json.Marshal(map[string]any{"INGRESS": map[string]any{"target_topic_id": dest.ID(), "data_model": dataModel,
		"dead_letter_queue": dlqName, "schema": schema}})
	if err != nil {
		return nil, err
	}
	a := &infra.APIEndpoint{Name: name, APIType: apiType, Path: p, Method: "POST", Version: version,
		SourcePrimitive: infra.PrimitiveSignature{Name: name, PrimitiveType: "DataModel"}, Metadata: md,
		PullsDataFrom: []infra.Signature{}, PushesDataTo: []infra.Signature{}}
	ev.out.APIEndpoints[a.ID()] = a
	return a, nil
}

func (ev *evaluator) consumptionAPI(m *module, g genericVal, c callVal) (value, error) {
	if len(g.params) == 0 {
		return nil, ev.errAt(m.file, g.pos, "Api[...] needs its query parameter model")
	}
	qm, ok := g.params[0].(*modelVal)
	if !ok {
		return nil, ev.errAt(m.file, g.pos, "Api[...] needs a pydantic model for its query parameters, found %s", describe(g.params[0]))
	}
	name, err := ev.resourceName(m, "Api", c)
	if err != nil {
		return nil, err
	}
	cols, err := ev.columns(qm)
	if err != nil {
		return nil, err
	}
	cfg, err := ev.configArg(m, c, 2, "moose_lib.ApiConfig", "Api")
	if err != nil {
		return nil, err
	}
	var version, path *string
	md := ev.metadata(m)
	if cfg != nil {
		version, _ = optStr(cfg.kwargs["version"])
		path, _ = optStr(cfg.kwargs["path"])
		if v, ok := cfg.kwargs["metadata"]; ok {
			if err := ev.applyMetadata(m, cfg.kwPos["metadata"], md, v); err != nil {
				return nil, err
			}
		}
	}
	key := name // two versions of one API are two APIs
	if version != nil {
		key += ":" + *version
	}
	if err := ev.register("Api", key, m.file, c.pos); err != nil {
		return nil, err
	}
	p := name
	if path != nil {
		p = *path
	}
	if version != nil && !strings.HasSuffix(p, "/"+*version) {
		p = strings.TrimSuffix(p, "/") + "/" + *version
	}
	params := make([]map[string]any, len(cols))
	for i, col := range cols {
		params[i] = map[string]any{"name": col.Name, "data_type": col, "required": col.Required}
		raw, _ := infra.MarshalColumnType(col.DataType)
		params[i]["data_type"] = json.RawMessage(raw)
	}
	var response *modelVal
	if len(g.params) > 1 {
		response, _ = g.params[1].(*modelVal)
	}
	output, err := ev.responseSchema(response)
	if err != nil {
		return nil, err
	}
	apiType, _ := json.Marshal(map[string]any{"EGRESS": map[string]any{"query_params": params, "output_schema": output}})
	a := &infra.APIEndpoint{Name: name, APIType: apiType, Path: p, Method: "GET", Version: version,
		SourcePrimitive: infra.PrimitiveSignature{Name: name, PrimitiveType: "ConsumptionAPI"}, Metadata: md,
		PullsDataFrom: []infra.Signature{}, PushesDataTo: []infra.Signature{}}
	ev.out.APIEndpoints[a.ID()] = a
	return resourceVal{"Api", name}, nil
}

// modelSchema is the JSON schema of a model as its library writes it:
// pydantic's for Python, typia's collection for TypeScript.
func (ev *evaluator) modelSchema(mv *modelVal, cols []infra.Column) (any, error) {
	if mv.ts != nil {
		return tsJSONSchema(mv.ts.scope, mv.ts.typ)
	}
	return jsonSchema(mv.name, cols), nil
}

// responseSchema is an API's output schema: its response model's (an
// empty object in Python without one, typia's empty collection in
// TypeScript).
func (ev *evaluator) responseSchema(mv *modelVal) (any, error) {
	if mv == nil {
		if ev.lang == typescript {
			return tsJSONSchema(nil, nil)
		}
		return map[string]any{}, nil
	}
	if mv.ts != nil {
		return tsJSONSchema(mv.ts.scope, mv.ts.typ)
	}
	cols, err := ev.columns(mv)
	if err != nil {
		return nil, err
	}
	return jsonSchema(mv.name, cols), nil
}

// jsonSchema is the JSON schema pydantic writes for a flat model: enough
// for API docs and ingest validation of the types moose-dev maps.
func jsonSchema(title string, cols []infra.Column) map[string]any {
	props := map[string]any{}
	required := []string{}
	for _, c := range cols {
		props[c.Name] = schemaOf(c)
		if c.Required {
			required = append(required, c.Name)
		}
	}
	return map[string]any{"title": title, "type": "object", "properties": props, "required": required}
}

func schemaOf(c infra.Column) map[string]any {
	s := map[string]any{"title": schemaTitle(c.Name)}
	switch t := c.DataType.(type) {
	case infra.Scalar:
		switch t {
		case infra.String, infra.UUID, infra.IPv4, infra.IPv6:
			s["type"] = "string"
		case infra.Boolean:
			s["type"] = "boolean"
		case infra.DateTime:
			s["type"], s["format"] = "string", "date-time"
		case infra.Date, infra.Date16:
			s["type"], s["format"] = "string", "date"
		case infra.Float32, infra.Float64:
			s["type"] = "number"
		case infra.JSON:
		default:
			s["type"] = "integer"
		}
	case infra.DateTime64:
		s["type"], s["format"] = "string", "date-time"
	case infra.Array:
		s["type"] = "array"
		s["items"] = schemaOf(infra.Column{Name: c.Name, DataType: t.Element, Required: true})
	default:
		s["type"] = "object"
	}
	return s
}

// ---- views ----

func (ev *evaluator) tableRefs(m *module, p Pos, key string, v value) ([]string, []infra.Signature, error) {
	if _, none := v.(noneVal); none || v == nil {
		return []string{}, nil, nil
	}
	items, ok := elements(v)
	if !ok {
		return nil, nil, ev.errAt(m.file, p, "%s must be a list of OlapTable or View objects, found %s", key, describe(v))
	}
	refs := []string{}
	var sigs []infra.Signature
	for _, it := range items {
		switch x := it.(type) {
		case tableVal:
			refs = append(refs, sqlRef(x.t.Database, x.t.Name))
			sigs = append(sigs, infra.Signature{Kind: "Table", ID: x.t.ID(ev.defaultDB)})
		case viewVal:
			refs = append(refs, sqlRef(x.v.Database, x.v.Name))
			sigs = append(sigs, infra.Signature{Kind: "View", ID: ev.defaultDB + "_" + x.v.Name})
		case mvVal:
			refs = append(refs, fmt.Sprintf("`%s`", x.target.Name))
			sigs = append(sigs, infra.Signature{Kind: "Table", ID: x.target.ID(ev.defaultDB)})
		default:
			return nil, nil, ev.errAt(m.file, p, "%s must hold OlapTable or View objects, found %s", key, describe(it))
		}
	}
	return refs, sigs, nil
}

// registryRefs are a SqlResource's dependencies as TypeScript's library
// names them: by registry key (a versioned table as `name_1.0`), with the
// kind of resource.
func (ev *evaluator) registryRefs(m *module, p Pos, key string, v value) ([]string, []infra.Signature, error) {
	items, ok := elements(v)
	if _, none := v.(noneVal); none || v == nil {
		return nil, []infra.Signature{}, nil
	}
	if !ok {
		return nil, nil, ev.errAt(m.file, p, "%s must be a list of resources, found %s", ev.lang.option(key), describe(v))
	}
	sigs := []infra.Signature{}
	for _, it := range items {
		switch x := it.(type) {
		case tableVal:
			id := x.t.SourcePrimitive.Name
			if x.t.Version != nil {
				id += "_" + *x.t.Version
			}
			sigs = append(sigs, infra.Signature{Kind: "Table", ID: id})
		case viewVal:
			sigs = append(sigs, infra.Signature{Kind: "View", ID: x.v.Name})
		case mvVal:
			sigs = append(sigs, infra.Signature{Kind: "MaterializedView", ID: x.mv.Name})
		case resourceVal:
			if x.kind != "SqlResource" {
				return nil, nil, ev.errAt(m.file, p, "%s must hold tables, views, materialized views or SQL resources, found %s", ev.lang.option(key), describe(it))
			}
			sigs = append(sigs, infra.Signature{Kind: "SqlResource", ID: x.name})
		default:
			return nil, nil, ev.errAt(m.file, p, "%s must hold tables, views, materialized views or SQL resources, found %s", ev.lang.option(key), describe(it))
		}
	}
	return nil, sigs, nil
}

func (ev *evaluator) materializedView(m *module, g genericVal, c callVal) (value, error) {
	mv, err := ev.modelParam(m, "MaterializedView", g)
	if err != nil {
		return nil, err
	}
	ov, op, ok := c.argument(0, "options")
	opts, isCall := ov.(callVal)
	if !ok || !isCall || opts.fn != "moose_lib.MaterializedViewOptions" {
		return nil, ev.errAt(m.file, op, "MaterializedView needs MaterializedViewOptions(...), found %s", describe(ov))
	}
	str := func(key string, required bool) (string, error) {
		v, has := opts.kwargs[key]
		s, isStr := v.(strVal)
		if !has && !required {
			return "", nil
		}
		if !isStr {
			return "", ev.errAt(m.file, opts.pos, "MaterializedViewOptions %s must be a string known before the program runs, found %s", key, describe(orNone(v)))
		}
		return string(s), nil
	}
	name, err := str("materialized_view_name", true)
	if err != nil {
		return nil, err
	}
	selectSQL, err := str("select_statement", true)
	if err != nil {
		return nil, err
	}
	refs, _, err := ev.tableRefs(m, opts.pos, "select_tables", opts.kwargs["select_tables"])
	if err != nil {
		return nil, err
	}
	var target *infra.Table
	if tv, _, ok := c.argument(1, "target_table"); ok && tv != value(noneVal{}) {
		tt, isTable := tv.(tableVal)
		if !isTable {
			return nil, ev.errAt(m.file, c.pos, "MaterializedView target_table must be an OlapTable, found %s", describe(tv))
		}
		target = tt.t
	} else {
		tableName, err := str("table_name", true)
		if err != nil {
			return nil, ev.errAt(m.file, opts.pos, "MaterializedView %q: give target_table=OlapTable(...) or table_name in the options", name)
		}
		cols, err := ev.columns(mv)
		if err != nil {
			return nil, err
		}
		tcfg := callVal{fn: "moose_lib.OlapConfig", kwargs: map[string]value{}, kwPos: map[string]Pos{}, pos: opts.pos}
		for _, k := range []string{"order_by_fields", "engine"} {
			if v, ok := opts.kwargs[k]; ok {
				tcfg.kwargs[k], tcfg.kwPos[k] = v, opts.kwPos[k]
			}
		}
		if target, err = ev.buildTable(m, mv, tableName, cols, &tcfg, opts.pos, ""); err != nil {
			return nil, err
		}
	}
	if target.Name == name {
		return nil, ev.errAt(m.file, opts.pos, "MaterializedView %q: the target table needs a name of its own", name)
	}
	view := &infra.MaterializedView{Name: name, SelectSQL: selectSQL, SourceTables: refs, TargetTable: target.Name,
		TargetDatabase: target.Database, Metadata: ev.metadata(m), LifeCycle: infra.FullyManaged}
	if v, ok := opts.kwargs["life_cycle"]; ok && v != value(noneVal{}) {
		if view.LifeCycle, err = ev.lifeCycle(m, opts.kwPos["life_cycle"], v); err != nil {
			return nil, err
		}
	}
	if v, ok := opts.kwargs["metadata"]; ok {
		if err := ev.applyMetadata(m, opts.kwPos["metadata"], view.Metadata, v); err != nil {
			return nil, err
		}
	}
	if err := ev.register("MaterializedView", name, m.file, c.pos); err != nil {
		return nil, err
	}
	ev.out.MaterializedViews[name] = view
	return mvVal{mv: view, target: target}, nil
}

// sqlRef is a table or view as SQL names it: backticked, with its
// database when it has its own.
func sqlRef(db *string, name string) string {
	if db != nil {
		return fmt.Sprintf("`%s`.`%s`", *db, name)
	}
	return fmt.Sprintf("`%s`", name)
}

func (ev *evaluator) view(m *module, c callVal) (value, error) {
	name, err := ev.resourceName(m, "View", c)
	if err != nil {
		return nil, err
	}
	sv, sp, _ := c.argument(1, "select_statement")
	sel, ok := sv.(strVal)
	if !ok {
		return nil, ev.errAt(m.file, sp, "View select_statement must be a string known before the program runs, found %s", describe(orNone(sv)))
	}
	bv, bp, _ := c.argument(2, "base_tables")
	refs, _, err := ev.tableRefs(m, bp, "base_tables", bv)
	if err != nil {
		return nil, err
	}
	v := &infra.View{Name: name, SelectSQL: string(sel), SourceTables: refs, Metadata: ev.metadata(m)}
	if db, dp, ok := c.argument(3, "database"); ok {
		if v.Database, err = ev.optString(m, dp, "database", db); err != nil {
			return nil, err
		}
	}
	if md, mp, ok := c.argument(4, "metadata"); ok {
		if err := ev.applyMetadata(m, mp, v.Metadata, md); err != nil {
			return nil, err
		}
	}
	if err := ev.register("View", name, m.file, c.pos); err != nil {
		return nil, err
	}
	ev.out.Views[v.ID()] = v
	return viewVal{v}, nil
}

func (ev *evaluator) sqlResource(m *module, c callVal) (value, error) {
	name, err := ev.resourceName(m, "SqlResource", c)
	if err != nil {
		return nil, err
	}
	r := &infra.SQLResource{Name: name, Setup: []string{}, Teardown: []string{}, PullsDataFrom: []infra.Signature{}, PushesDataTo: []infra.Signature{}}
	for i, key := range []string{"setup", "teardown"} {
		if v, p, ok := c.argument(i+1, key); ok {
			list, err := ev.stringList(m, p, key, v)
			if err != nil {
				return nil, err
			}
			if i == 0 {
				r.Setup = list
			} else {
				r.Teardown = list
			}
		}
	}
	for i, key := range []string{"pulls_data_from", "pushes_data_to"} {
		if v, p, ok := c.argument(i+3, key); ok {
			refs := ev.tableRefs
			if ev.lang.registryDeps {
				refs = ev.registryRefs
			}
			_, sigs, err := refs(m, p, key, v)
			if err != nil {
				return nil, err
			}
			if sigs == nil {
				sigs = []infra.Signature{}
			}
			if i == 0 {
				r.PullsDataFrom = sigs
			} else {
				r.PushesDataTo = sigs
			}
		}
	}
	file := m.file
	r.SourceFile = &file
	if ev.lang.registryDeps { // TypeScript's registry records where it was built
		line, col := c.pos.Line, c.pos.Col
		r.SourceLine, r.SourceColumn = &line, &col
	}
	if err := ev.register("SqlResource", name, m.file, c.pos); err != nil {
		return nil, err
	}
	ev.out.SQLResources[name] = r
	return resourceVal{"SqlResource", name}, nil
}

func (ev *evaluator) workflow(m *module, c callVal) (value, error) {
	name, err := ev.resourceName(m, "Workflow", c)
	if err != nil {
		return nil, err
	}
	w := &infra.Workflow{Name: name, Path: ev.mainFile, Language: ev.lang.name,
		Config:        infra.WorkflowConfig{Name: name, Schedule: "", Retries: 3, Timeout: "1h"},
		PullsDataFrom: []infra.Signature{}, PushesDataTo: []infra.Signature{}}
	cfg, err := ev.configArg(m, c, 1, "moose_lib.WorkflowConfig", "Workflow")
	if err != nil {
		return nil, err
	}
	if cfg != nil {
		if _, ok := cfg.kwargs["starting_task"].(callVal); !ok {
			return nil, ev.errAt(m.file, cfg.pos, "WorkflowConfig needs starting_task=Task(...)")
		}
		if s, ok := cfg.kwargs["schedule"].(strVal); ok {
			w.Config.Schedule = string(s)
		}
		if r, ok := cfg.kwargs["retries"].(intVal); ok {
			w.Config.Retries = int(r)
		}
		if t, ok := cfg.kwargs["timeout"].(strVal); ok {
			w.Config.Timeout = string(t)
		}
	}
	if err := ev.register("Workflow", name, m.file, c.pos); err != nil {
		return nil, err
	}
	ev.out.Workflows[name] = w
	return resourceVal{"Workflow", name}, nil
}

func (ev *evaluator) webApp(m *module, c callVal) (value, error) {
	name, err := ev.resourceName(m, "WebApp", c)
	if err != nil {
		return nil, err
	}
	w := &infra.WebApp{Name: name, MountPath: "/", PullsDataFrom: []infra.Signature{}, PushesDataTo: []infra.Signature{}}
	if cfg, err := ev.configArg(m, c, 2, "moose_lib.WebAppConfig", "WebApp"); err != nil {
		return nil, err
	} else if cfg != nil {
		if p, ok := cfg.kwargs["mount_path"].(strVal); ok && p != "" {
			w.MountPath = string(p)
			if err := checkMountPath(w.MountPath); err != nil {
				return nil, ev.errAt(m.file, cfg.kwPos["mount_path"], "WebApp %q: %v", name, err)
			}
		}
		if md, ok := cfg.kwargs["metadata"].(callVal); ok {
			d, _ := optStr(md.kwargs["description"])
			w.Metadata = &infra.WebAppMetadata{Description: d}
		}
	}
	if err := ev.register("WebApp", name, m.file, c.pos); err != nil {
		return nil, err
	}
	ev.out.WebApps[name] = w
	return resourceVal{"WebApp", name}, nil
}

// reservedMountPaths are the dev server's own routes a web app may not
// mount under.
var reservedMountPaths = []string{"/admin", "/api", "/consumption", "/health", "/ingest", "/liveness", "/moose", "/ready", "/workflows"}

// checkMountPath refuses a mount path upstream's library refuses: under a
// reserved route, or with a trailing slash.
func checkMountPath(p string) error {
	if p != "/" && strings.HasSuffix(p, "/") {
		return fmt.Errorf("mount path %q must not end with a slash", p)
	}
	for _, r := range reservedMountPaths {
		if p == r || strings.HasPrefix(p, r+"/") {
			return fmt.Errorf("mount path %q is under %s, one of the dev server's reserved paths (%s)", p, r, strings.Join(reservedMountPaths, ", "))
		}
	}
	return nil
}

// ---- processes derived at the end, as upstream's into_infra_map ----

func (ev *evaluator) finish() error {
	mainFile := ev.mainFile
	for _, t := range ev.flowOrder {
		f := ev.flows[t]
		if f.dest != nil {
			if orNoneStr(t.Version) != orNoneStr(f.dest.Version) {
				return ev.errAt(f.file, f.destPos, "Stream %q (version %s) cannot write to table %q (version %s): their versions must match",
					t.Name, orNoneStr(t.Version), f.dest.Name, orNoneStr(f.dest.Version))
			}
			p := &infra.TopicToTableSyncProcess{SourceTopicID: t.ID(), TargetTableID: f.dest.ID(ev.defaultDB),
				Columns: t.Columns, Version: t.Version, SourcePrimitive: t.SourcePrimitive}
			ev.out.TopicToTableSyncProcesses[p.ID()] = p
		}
		dlqOf := func(own *infra.Topic) *string {
			if !ev.lang.tracksFlows {
				return nil
			}
			if own == nil {
				own = f.defaultDLQ
			}
			if own == nil {
				return nil
			}
			id := own.ID()
			return &id
		}
		for _, tr := range f.transforms {
			target := tr.target.ID()
			name := t.Name + "__" + tr.target.Name
			fp := &infra.FunctionProcess{Name: name, SourceTopicID: t.ID(), TargetTopicID: &target, Executable: mainFile,
				ParallelProcessCount: tr.target.PartitionCount, Version: tr.version, Language: ev.lang.name,
				SourcePrimitive:   infra.PrimitiveSignature{Name: name, PrimitiveType: "Function"},
				Metadata:          &infra.Metadata{Description: tr.description, Source: &infra.SourceLocation{File: tr.file}},
				DeadLetterQueueID: dlqOf(tr.dlq)}
			ev.out.FunctionProcesses[fp.ID()] = fp
		}
		for _, cs := range f.consumers {
			fp := &infra.FunctionProcess{Name: t.Name, SourceTopicID: t.ID(), Executable: mainFile,
				ParallelProcessCount: t.PartitionCount, Version: cs.version, Language: ev.lang.name,
				SourcePrimitive:   infra.PrimitiveSignature{Name: t.Name, PrimitiveType: "DataModel"},
				DeadLetterQueueID: dlqOf(cs.dlq)}
			if ev.lang.tracksFlows {
				fp.Metadata = &infra.Metadata{Source: &infra.SourceLocation{File: cs.file}}
			}
			ev.out.FunctionProcesses[fp.ID()] = fp
		}
	}
	ev.out.OrchestrationWorkers[ev.lang.worker] = &infra.OrchestrationWorker{SupportedLanguage: ev.lang.name}
	return nil
}

func orNoneStr(p *string) string {
	if p == nil {
		return "none"
	}
	return *p
}

// schemaTitle is pydantic's field title: words split on "_", capitalized.
func schemaTitle(name string) string {
	words := strings.Split(name, "_")
	for i, w := range words {
		if w != "" {
			words[i] = strings.ToUpper(w[:1]) + w[1:]
		}
	}
	return strings.Join(words, " ")
}
