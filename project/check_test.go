package project

import (
	"errors"
	"strings"
	"testing"
)

// A value moose-dev cannot honour is an error at its line, like an unknown
// key, not a failure later ("port 99999 is taken").
func TestValuesMooseDevCannotHonourAreRefusedAtTheirLine(t *testing.T) {
	for _, c := range []struct{ name, src, want string }{
		{"clickhouse port", "language = \"Python\"\n[clickhouse_config]\ndb_name = \"x\"\n  host_port = 99999\n",
			"moose.config.toml:4:3: clickhouse_config.host_port = 99999 is not a port (1-65535)"},
		{"native port", "[clickhouse_config]\nnative_port = 0\n",
			"moose.config.toml:2:1: clickhouse_config.native_port = 0 is not a port (1-65535)"},
		{"a dotted key", "clickhouse_config.host_port = -1\n",
			"moose.config.toml:1:1: clickhouse_config.host_port = -1 is not a port (1-65535)"},
		{"http port", "[http_server_config]\nport = 70000\n",
			"moose.config.toml:2:1: http_server_config.port = 70000 is not a port (1-65535)"},
		{"broker port", "[redpanda_config]\nbroker = \"localhost:99999\"\n",
			"moose.config.toml:2:1: redpanda_config.broker = \"localhost:99999\": want host:port, the port 1-65535"},
		{"broker alias", "\n[kafka_config]\nbroker = \"localhost\"\n",
			"moose.config.toml:3:1: redpanda_config.broker = \"localhost\": want host:port, the port 1-65535"},
		{"temporal port", "[temporal_config]\ntemporal_port = \"7233\"\n",
			"moose.config.toml:2:1: temporal_config.temporal_port = \"7233\" is not a port (1-65535)"},
		{"olap off", "[features]\nstreaming_engine = true\nolap = false\n",
			"moose.config.toml:3:1: features.olap = false is not supported: every moose-dev command manages ClickHouse; remove the key (upstream's default is true)"},
	} {
		_, err := ParseConfig("moose.config.toml", []byte(c.src))
		var ce *ConfigError
		if !errors.As(err, &ce) {
			t.Errorf("%s: want a ConfigError, got %v", c.name, err)
			continue
		}
		if err.Error() != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.name, err, c.want)
		}
	}
	// the values upstream's template writes pass
	if _, err := ParseConfig("m", []byte("[features]\nolap = true\napis = true\nddl_plan = false\n[temporal_config]\ntemporal_port = 7233\n")); err != nil {
		t.Fatal(err)
	}
}

func TestKeyErrorPointsAtTheKeyOrNamesTheFile(t *testing.T) {
	src := "[clickhouse_config]\nuser = \"u\"\n\n  use_ssl = true\n"
	cfg, err := ParseConfig(ConfigFile, []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	p := &Project{Config: cfg, src: source{ConfigFile, []byte(src)}}
	if got := p.KeyError("clickhouse_config.use_ssl", "x").Error(); got != "moose.config.toml:4:3: x" {
		t.Fatalf("got %q", got)
	}
	if got := p.KeyError("clickhouse_config.host", "y").Error(); got != "moose.config.toml: y" {
		t.Fatalf("a default has no line: got %q", got)
	}
}

func TestAnUnknownLanguageIsRefusedAtItsLine(t *testing.T) {
	_, err := ParseConfig("moose.config.toml", []byte("\nlanguage = \"Rust\"\n"))
	if err == nil || !strings.HasPrefix(err.Error(), "moose.config.toml:2:1: language = \"Rust\"") {
		t.Fatalf("err = %v", err)
	}
	if _, err := ParseConfig("moose.config.toml", []byte("language = \"Typescript\"\n")); err != nil {
		t.Fatal(err)
	}
}
