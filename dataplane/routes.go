// Package dataplane is the dev server's data plane: the ingest API (each
// record validated against its model, written to its stream only when the
// whole request is valid, answered once the broker has it), the
// stream-to-table sync, dead letter queues, and the routes upstream serves
// that moose-dev answers without running user code.
package dataplane

import (
	"encoding/json"
	"sort"
	"strings"

	"github.com/moose-dev/moose-dev/broker"
	"github.com/moose-dev/moose-dev/infra"
)

// IngestRoute is one ingest API as the server serves it.
type IngestRoute struct {
	Name      string // the API's name
	Path      string // "ingest/Order" or "ingest/Order/1.1" (upstream's path, no leading slash)
	Topic     string // the Kafka name of its stream
	TopicName string // the stream's name, for dead letter records
	DLQ       string // the Kafka name of its dead letter queue, or ""
	Model     *Model
}

type ingressType struct {
	INGRESS *struct {
		TargetTopicID   string  `json:"target_topic_id"`
		DeadLetterQueue *string `json:"dead_letter_queue"`
		DataModel       struct {
			Columns          []infra.Column `json:"columns"`
			AllowExtraFields bool           `json:"allow_extra_fields"`
		} `json:"data_model"`
	} `json:"INGRESS"`
}

// IngestRoutes are the map's ingest APIs, by path (none without a broker:
// streaming off).
func IngestRoutes(m *infra.Map, topics *broker.Admin) map[string]*IngestRoute {
	out := map[string]*IngestRoute{}
	if topics == nil {
		return out
	}
	for _, a := range m.APIEndpoints {
		var it ingressType
		if a.Method != "POST" || json.Unmarshal(a.APIType, &it) != nil || it.INGRESS == nil {
			continue
		}
		topic, ok := m.Topics[it.INGRESS.TargetTopicID]
		if !ok {
			continue
		}
		r := &IngestRoute{Name: a.Name, Path: strings.Trim(a.Path, "/"), Topic: topics.TopicName(topic), TopicName: topic.Name,
			Model: NewModel(it.INGRESS.DataModel.Columns, it.INGRESS.DataModel.AllowExtraFields)}
		if it.INGRESS.DeadLetterQueue != nil {
			if dlq := topicNamed(m, *it.INGRESS.DeadLetterQueue); dlq != nil {
				r.DLQ = topics.TopicName(dlq)
			}
		}
		out[r.Path] = r
	}
	return out
}

// topicNamed finds a topic by id, else by name.
func topicNamed(m *infra.Map, name string) *infra.Topic {
	if t, ok := m.Topics[name]; ok {
		return t
	}
	ids := make([]string, 0, len(m.Topics))
	for id := range m.Topics {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		if m.Topics[id].Name == name {
			return m.Topics[id]
		}
	}
	return nil
}

// deadLetterQueues are the dead letter queues of the ingest APIs (an
// IngestPipeline's) by the id of the topic each API writes to; one pass
// over the APIs, so a reload's sync update stays linear.
func deadLetterQueues(m *infra.Map) map[string]*infra.Topic {
	ids := make([]string, 0, len(m.APIEndpoints))
	for id := range m.APIEndpoints {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	out := map[string]*infra.Topic{}
	for _, id := range ids {
		var it ingressType
		if json.Unmarshal(m.APIEndpoints[id].APIType, &it) != nil || it.INGRESS == nil || it.INGRESS.DeadLetterQueue == nil {
			continue
		}
		if _, seen := out[it.INGRESS.TargetTopicID]; !seen {
			if dlq := topicNamed(m, *it.INGRESS.DeadLetterQueue); dlq != nil {
				out[it.INGRESS.TargetTopicID] = dlq
			}
		}
	}
	return out
}
