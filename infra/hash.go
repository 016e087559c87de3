package infra

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"sort"
	"sync"
)

// engineHashFields lists, per engine, the parameters that cannot be ALTERed,
// in the order upstream's non_alterable_params_hash feeds them to SHA-256.
// "*" marks a required string; "?" an optional string hashed as "null" when
// absent; "[]" an optional list of strings; "{}" an optional string map
// hashed as sorted key,value pairs; "#" and "#?" u64 integers, "%" and
// "%?" u32 integers (little-endian, absent hashed as "null").
var engineHashFields = map[string][]string{
	"MergeTree":                              nil,
	"AggregatingMergeTree":                   nil,
	"ReplacingMergeTree":                     {"?ver", "?is_deleted"},
	"SummingMergeTree":                       {"[]columns"},
	"CollapsingMergeTree":                    {"*sign"},
	"VersionedCollapsingMergeTree":           {"*sign", "*version"},
	"ReplicatedMergeTree":                    {"?keeper_path", "?replica_name"},
	"ReplicatedReplacingMergeTree":           {"?keeper_path", "?replica_name", "?ver", "?is_deleted"},
	"ReplicatedAggregatingMergeTree":         {"?keeper_path", "?replica_name"},
	"ReplicatedSummingMergeTree":             {"?keeper_path", "?replica_name", "[]columns"},
	"ReplicatedCollapsingMergeTree":          {"?keeper_path", "?replica_name", "*sign"},
	"ReplicatedVersionedCollapsingMergeTree": {"?keeper_path", "?replica_name", "*sign", "*version"},
	"S3Queue":                                {"*s3_path", "*format", "?compression", "{}headers", "?aws_access_key_id", "?aws_secret_access_key"},
	"S3":                                     {"*path", "*format", "?aws_access_key_id", "?aws_secret_access_key", "?compression", "?partition_strategy", "?partition_columns_in_data_file"},
	"Buffer":                                 {"*target_database", "*target_table", "%num_layers", "%min_time", "%max_time", "#min_rows", "#max_rows", "#min_bytes", "#max_bytes", "%?flush_time", "#?flush_rows", "#?flush_bytes"},
	"Distributed":                            {"*cluster", "*target_database", "*target_table", "?sharding_key", "?policy_name"},
	"IcebergS3":                              {"*path", "*format", "?aws_access_key_id", "?aws_secret_access_key", "?compression"},
	"Kafka":                                  {"*broker_list", "*topic_list", "*group_name", "*format"},
	"Merge":                                  {"*source_database", "*tables_regexp"},
}

// ParamsHash is upstream's engine_params_hash: SHA-256 (hex) over the
// engine's name and its parameters that cannot be ALTERed, so a change in
// any of them (credentials included) is seen without storing them.
func (e Engine) ParamsHash() string {
	name := e.Name
	if name == "" {
		name = "MergeTree"
	}
	var h bytes.Buffer // what is hashed
	if name == "IcebergS3" {
		h.Write([]byte("Iceberg"))
	} else {
		h.Write([]byte(name))
	}
	null := []byte("null")
	for _, f := range engineHashFields[name] {
		kind, key := f[:1], f[1:]
		if f[0] == '[' || f[0] == '{' {
			kind, key = f[:2], f[2:]
		} else if len(f) > 1 && (f[:2] == "#?" || f[:2] == "%?") {
			kind, key = f[:2], f[2:]
		}
		v, present := e.Params[key]
		if v == nil {
			present = false
		}
		switch kind {
		case "*", "?":
			if present {
				h.Write([]byte(fmt.Sprint(v)))
			} else {
				h.Write(null)
			}
		case "[]":
			list, ok := v.([]any)
			if !present || !ok {
				h.Write(null)
				continue
			}
			for _, item := range list {
				h.Write([]byte(fmt.Sprint(item)))
			}
		case "{}":
			m, ok := v.(map[string]any)
			if !present || !ok {
				h.Write(null)
				continue
			}
			keys := make([]string, 0, len(m))
			for k := range m {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				h.Write([]byte(k))
				h.Write([]byte(fmt.Sprint(m[k])))
			}
		case "#", "#?":
			if !present {
				h.Write(null)
				continue
			}
			var buf [8]byte
			binary.LittleEndian.PutUint64(buf[:], uint64(toInt64(v)))
			h.Write(buf[:])
		case "%", "%?":
			if !present {
				h.Write(null)
				continue
			}
			var buf [4]byte
			binary.LittleEndian.PutUint32(buf[:], uint32(toInt64(v)))
			h.Write(buf[:])
		}
	}
	return sha256Hex(h.Bytes())
}

func toInt64(v any) int64 {
	switch n := v.(type) {
	case int:
		return int64(n)
	case int64:
		return n
	case float64:
		return int64(n)
	}
	var out int64
	fmt.Sscan(fmt.Sprint(v), &out)
	return out
}

// SettingsHash is upstream's table_settings_hash: SHA-256 (hex) over the
// settings as `key:value;` in key order; nil without settings.
func (t *Table) SettingsHash() *string {
	if len(t.TableSettings) == 0 {
		return nil
	}
	keys := make([]string, 0, len(t.TableSettings))
	for k := range t.TableSettings {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var h bytes.Buffer // what is hashed
	for _, k := range keys {
		h.WriteString(k)
		h.WriteByte(':')
		h.WriteString(t.TableSettings[k])
		h.WriteByte(';')
	}
	s := sha256Hex(h.Bytes())
	return &s
}

// sha256Hex is the hex SHA-256 of b. Loads of one project hash the same
// few inputs over and over (most tables share their engine and settings),
// so recent answers are kept.
func sha256Hex(b []byte) string {
	hashMemo.Lock()
	defer hashMemo.Unlock()
	if s, ok := hashMemo.m[string(b)]; ok {
		return s
	}
	if hashMemo.m == nil || len(hashMemo.m) >= 4096 {
		hashMemo.m = map[string]string{}
	}
	sum := sha256.Sum256(b)
	s := hex.EncodeToString(sum[:])
	hashMemo.m[string(b)] = s
	return s
}

var hashMemo struct {
	sync.Mutex
	m map[string]string
}

// FillHashes sets engine_params_hash and table_settings_hash as upstream's
// loader does for tables read from code.
func (t *Table) FillHashes() {
	h := t.Engine.ParamsHash()
	t.EngineParamsHash = &h
	t.TableSettingsHash = t.SettingsHash()
}

// CredentialPlaceholder is what a written map shows for a credential.
const CredentialPlaceholder = "[HIDDEN]"

// Masked is the map as upstream writes it for people to read: a copy with
// the engines' credentials (S3, S3Queue, IcebergS3 keys) and sensitive
// settings (Kafka SASL) replaced by "[HIDDEN]". The map itself keeps them
// (runtime-environment markers resolve when DDL runs).
func (m *Map) Masked() *Map {
	out := *m
	out.Tables = make(map[string]*Table, len(m.Tables))
	for id, t := range m.Tables {
		masked := false
		switch t.Engine.Name {
		case "S3", "S3Queue", "IcebergS3":
			for _, k := range []string{"aws_access_key_id", "aws_secret_access_key"} {
				if v, ok := t.Engine.Params[k]; ok && v != nil {
					masked = true
				}
			}
		case "Kafka":
			for _, k := range []string{"kafka_sasl_password", "kafka_sasl_username"} {
				if _, ok := t.TableSettings[k]; ok {
					masked = true
				}
			}
		}
		if !masked {
			out.Tables[id] = t
			continue
		}
		c := *t
		c.Engine.Params = make(map[string]any, len(t.Engine.Params))
		for k, v := range t.Engine.Params {
			c.Engine.Params[k] = v
		}
		for _, k := range []string{"aws_access_key_id", "aws_secret_access_key"} {
			if v, ok := c.Engine.Params[k]; ok && v != nil {
				c.Engine.Params[k] = CredentialPlaceholder
			}
		}
		if t.TableSettings != nil && t.Engine.Name == "Kafka" {
			c.TableSettings = make(map[string]string, len(t.TableSettings))
			for k, v := range t.TableSettings {
				if k == "kafka_sasl_password" || k == "kafka_sasl_username" {
					v = CredentialPlaceholder
				}
				c.TableSettings[k] = v
			}
		}
		out.Tables[id] = &c
	}
	return &out
}
