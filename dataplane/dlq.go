package dataplane

import (
	"bytes"
	"encoding/json"
	"time"
)

// A dead letter record is upstream's: originalRecord, errorMessage,
// errorType, failedAt, source ("api", "transform" or "table"), in that
// order, then what the source adds (the ingest API: requestBody, topic).

type deadLetterExtra struct{ key, value string }

// DeadLetter is a dead letter record for a record (JSON) that failed.
func DeadLetter(original []byte, msg, errType, source string, at time.Time, extra ...deadLetterExtra) []byte {
	var b bytes.Buffer
	b.WriteString(`{"originalRecord":`)
	if json.Valid(original) {
		json.Compact(&b, original)
	} else {
		writeJSONString(&b, string(original))
	}
	for _, kv := range append([]deadLetterExtra{{"errorMessage", msg}, {"errorType", errType}, {"failedAt", rfc3339(at)}, {"source", source}}, extra...) {
		b.WriteByte(',')
		writeJSONString(&b, kv.key)
		b.WriteByte(':')
		writeJSONString(&b, kv.value)
	}
	b.WriteByte('}')
	return b.Bytes()
}

// rfc3339 is chrono's to_rfc3339 of a UTC time: fractional seconds in
// groups of three digits as needed, and +00:00.
func rfc3339(t time.Time) string {
	t = t.UTC()
	layout := "2006-01-02T15:04:05"
	switch ns := t.Nanosecond(); {
	case ns == 0:
	case ns%1e6 == 0:
		layout += ".000"
	case ns%1e3 == 0:
		layout += ".000000"
	default:
		layout += ".000000000"
	}
	return t.Format(layout) + "+00:00"
}
