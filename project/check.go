package project

import (
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/pelletier/go-toml/v2/unstable"
)

// source is a configuration file's text, kept to point at a key.
type source struct {
	file string
	data []byte
}

// errorAt is a ConfigError at the line of key (dotted, e.g.
// "clickhouse_config.host_port"); a key under redpanda_config is also
// found under its alias kafka_config. A key the file does not spell out
// (a default) gives an error naming the file only.
func (s source) errorAt(key, format string, args ...any) *ConfigError {
	file := s.file
	if file == "" {
		file = ConfigFile
	}
	e := &ConfigError{File: file, Msg: fmt.Sprintf(format, args...)}
	keys := []string{key}
	if rest, ok := strings.CutPrefix(key, "redpanda_config."); ok {
		keys = append(keys, "kafka_config."+rest)
	}
	for _, k := range keys {
		if line, col, ok := keyPosition(s.data, k); ok {
			e.Line, e.Col = line, col
			break
		}
	}
	return e
}

// keyPosition finds where a dotted key is set: under its [table] header,
// as a dotted key, or both. Keys inside inline tables are not found.
func keyPosition(data []byte, key string) (line, col int, ok bool) {
	var p unstable.Parser
	p.Reset(data)
	var table []string
	for p.NextExpression() {
		e := p.Expression()
		switch e.Kind {
		case unstable.Table, unstable.ArrayTable:
			table = keyParts(e)
		case unstable.KeyValue:
			if strings.Join(append(append([]string{}, table...), keyParts(e)...), ".") == key {
				it := e.Key()
				it.Next()
				pos := p.Shape(it.Node().Raw).Start
				return pos.Line, pos.Column, true
			}
		}
	}
	return 0, 0, false
}

func keyParts(n *unstable.Node) []string {
	var out []string
	for it := n.Key(); it.Next(); {
		out = append(out, string(it.Node().Data))
	}
	return out
}

// check refuses values moose-dev cannot honour, at their line: a port
// outside 1-65535 (it would otherwise be reported as taken), and
// `[features] olap = false`.
func (s source) check(cfg *Config) error {
	switch strings.ToLower(cfg.Language) {
	case "python", "typescript":
	default:
		return s.errorAt("language", "language = %q is not a language Moose supports: \"Python\" or \"Typescript\"", cfg.Language)
	}
	ports := []struct {
		key  string
		port int
	}{
		{"clickhouse_config.host_port", cfg.ClickHouse.HostPort},
		{"clickhouse_config.native_port", cfg.ClickHouse.NativePort},
		{"http_server_config.port", cfg.HTTPServer.Port},
		{"http_server_config.management_port", cfg.HTTPServer.ManagementPort},
		{"http_server_config.proxy_port", cfg.HTTPServer.ProxyPort},
	}
	for _, p := range ports {
		if !validPort(p.port) {
			return s.errorAt(p.key, "%s = %d is not a port (1-65535)", p.key, p.port)
		}
	}
	if _, port, err := net.SplitHostPort(cfg.Redpanda.Broker); err != nil || !validPortString(port) {
		return s.errorAt("redpanda_config.broker", "redpanda_config.broker = %q: want host:port, the port 1-65535", cfg.Redpanda.Broker)
	}
	if v, ok := cfg.Temporal["temporal_port"]; ok {
		if n, isInt := v.(int64); !isInt || !validPort(int(n)) {
			return s.errorAt("temporal_config.temporal_port", "temporal_config.temporal_port = %#v is not a port (1-65535)", v)
		}
	}
	if !cfg.Features.OLAP {
		// Upstream without OLAP starts no ClickHouse and refuses any
		// database change; moose-dev is a ClickHouse dev loop and migration
		// tool, with nothing to run then.
		return s.errorAt("features.olap", "features.olap = false is not supported: every moose-dev command manages ClickHouse; remove the key (upstream's default is true)")
	}
	return nil
}

func validPort(p int) bool { return p >= 1 && p <= 65535 }

func validPortString(s string) bool {
	n, err := strconv.Atoi(s)
	return err == nil && validPort(n)
}

// KeyError is a configuration error at the line of key in the project's
// moose.config.toml, for settings that are refused where they are used
// (e.g. a setting that applies to external services only).
func (p *Project) KeyError(key, format string, args ...any) error {
	return p.src.errorAt(key, format, args...)
}
