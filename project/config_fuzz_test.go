package project

import (
	"errors"
	"strings"
	"testing"

	"github.com/pelletier/go-toml/v2"
)

// FuzzParseConfig: any text gives a config or a ConfigError naming the
// file, never a panic; text that is not TOML at all is an error at its
// line and column.
func FuzzParseConfig(f *testing.F) {
	f.Add("[clickhouse_config]\ndb_name = \"x\"\nhost_port = 1\n")
	f.Add("language = \"Python\"\n[features]\nworkflows = true\n")
	f.Add("[clickhouse_config]\ndb_name = \"\"\n")
	f.Add("[clickhouse_config]\nhost_port = \"x\"\n")
	f.Add("[nope]\nkey = 1\n")
	f.Add("a = [1,\n")
	f.Fuzz(func(t *testing.T, s string) {
		_, err := ParseConfig("moose.config.toml", []byte(s))
		if err == nil {
			return
		}
		var ce *ConfigError
		if !errors.As(err, &ce) || ce.File != "moose.config.toml" || !strings.HasPrefix(err.Error(), "moose.config.toml:") {
			t.Fatalf("%q: the error does not name the file: %v", s, err)
		}
		var doc map[string]any
		if toml.Unmarshal([]byte(s), &doc) != nil && (ce.Line < 1 || ce.Col < 1) {
			t.Fatalf("%q is not TOML, and the error has no position: %v", s, err)
		}
	})
}
