// Package project reads a Moose project: its moose.config.toml, with
// upstream's defaults and strict decoding, and the paths moose-dev uses
// inside it (`app/`, `.moose/`).
package project

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/pelletier/go-toml/v2"
)

// ConfigFile is the project's configuration file name.
const ConfigFile = "moose.config.toml"

// ClickHouseConfig is `[clickhouse_config]`.
type ClickHouseConfig struct {
	DBName              string           `toml:"db_name"`
	User                string           `toml:"user"`
	Password            string           `toml:"password"`
	UseSSL              bool             `toml:"use_ssl"`
	Host                string           `toml:"host"`
	HostPort            int              `toml:"host_port"`
	NativePort          int              `toml:"native_port"`
	HostDataPath        string           `toml:"host_data_path,omitempty"`
	AdditionalDatabases []string         `toml:"additional_databases"`
	Clusters            []map[string]any `toml:"clusters,omitempty"`
}

// RedpandaConfig is `[redpanda_config]` (alias `[kafka_config]`).
type RedpandaConfig struct {
	Broker            string `toml:"broker"`
	MessageTimeoutMS  int    `toml:"message_timeout_ms"`
	RetentionMS       int    `toml:"retention_ms"`
	ReplicationFactor int    `toml:"replication_factor"`
	SchemaRegistryURL string `toml:"schema_registry_url,omitempty"`
	SASLUsername      string `toml:"sasl_username,omitempty"`
	SASLPassword      string `toml:"sasl_password,omitempty"`
	SASLMechanism     string `toml:"sasl_mechanism,omitempty"`
	SecurityProtocol  string `toml:"security_protocol,omitempty"`
	Namespace         string `toml:"namespace,omitempty"`
}

// HTTPServerConfig is `[http_server_config]`.
type HTTPServerConfig struct {
	Host                   string `toml:"host"`
	Port                   int    `toml:"port"`
	ManagementPort         int    `toml:"management_port"`
	ProxyPort              int    `toml:"proxy_port"`
	PathPrefix             string `toml:"path_prefix,omitempty"`
	MaxRequestBodySize     int    `toml:"max_request_body_size"`
	OnFirstStartScript     string `toml:"on_first_start_script,omitempty"`
	OnReloadCompleteScript string `toml:"on_reload_complete_script,omitempty"`
	OnChangeScript         string `toml:"on_change_script,omitempty"`
	PostDevServerReady     string `toml:"post_dev_server_ready_script,omitempty"`
	APIWorkers             int    `toml:"api_workers,omitempty"`
}

// RedisConfig is `[redis_config]`, kept for compatibility.
type RedisConfig struct {
	URL       string `toml:"url"`
	KeyPrefix string `toml:"key_prefix"`
}

// Features is `[features]`.
type Features struct {
	StreamingEngine bool `toml:"streaming_engine"`
	Workflows       bool `toml:"workflows"`
	OLAP            bool `toml:"olap"`
	APIs            bool `toml:"apis"`
	DDLPlan         bool `toml:"ddl_plan"`
	// Data models v2 is always on in current upstream; the key is accepted.
	DataModelV2 bool `toml:"data_model_v2,omitempty"`
}

// WatcherConfig is `[watcher_config]`.
type WatcherConfig struct {
	IgnorePatterns []string `toml:"ignore_patterns"`
}

// StateConfig is `[state_config]`.
type StateConfig struct {
	Storage string `toml:"storage"`
}

// MigrationConfig is `[migration_config]`.
type MigrationConfig struct {
	IgnoreOperations []string `toml:"ignore_operations"`
}

// Authentication is `[authentication]`.
type Authentication struct {
	AdminAPIKey string `toml:"admin_api_key"`
}

// Config is a whole moose.config.toml. Sections that moose-dev does not use
// yet but upstream templates write (git, temporal, docker, ...) are accepted
// with any keys so that an upstream project loads unchanged.
type Config struct {
	Language             string           `toml:"language"`
	SourceDir            string           `toml:"source_dir"`
	LoadInfra            *bool            `toml:"load_infra,omitempty"`
	ClickHouse           ClickHouseConfig `toml:"clickhouse_config"`
	Redpanda             RedpandaConfig   `toml:"redpanda_config"`
	Kafka                *RedpandaConfig  `toml:"kafka_config,omitempty"`
	HTTPServer           HTTPServerConfig `toml:"http_server_config"`
	Redis                RedisConfig      `toml:"redis_config"`
	State                StateConfig      `toml:"state_config"`
	Migration            MigrationConfig  `toml:"migration_config"`
	Features             Features         `toml:"features"`
	Watcher              WatcherConfig    `toml:"watcher_config"`
	Authentication       Authentication   `toml:"authentication"`
	Git                  map[string]any   `toml:"git_config,omitempty"`
	Temporal             map[string]any   `toml:"temporal_config,omitempty"`
	Docker               map[string]any   `toml:"docker_config,omitempty"`
	TypeScript           map[string]any   `toml:"typescript_config,omitempty"`
	Dev                  map[string]any   `toml:"dev,omitempty"`
	SupportedOldVersions map[string]any   `toml:"supported_old_versions,omitempty"`
	JWT                  map[string]any   `toml:"jwt,omitempty"`
}

// Default is the configuration upstream uses when a key is absent (its
// Python template's values).
func Default() Config {
	return Config{
		Language:  "Python",
		SourceDir: "app",
		ClickHouse: ClickHouseConfig{DBName: "local", User: "panda", Password: "pandapass", Host: "localhost",
			HostPort: 18123, NativePort: 9000, AdditionalDatabases: []string{}},
		Redpanda:   RedpandaConfig{Broker: "localhost:19092", MessageTimeoutMS: 1000, RetentionMS: 30000, ReplicationFactor: 1},
		HTTPServer: HTTPServerConfig{Host: "localhost", Port: 4000, ManagementPort: 5001, ProxyPort: 4001, MaxRequestBodySize: 10485760},
		Redis:      RedisConfig{URL: "redis://127.0.0.1:6379", KeyPrefix: "MS"},
		State:      StateConfig{Storage: "redis"},
		Features:   Features{StreamingEngine: true, OLAP: true, APIs: true},
		Watcher:    WatcherConfig{IgnorePatterns: []string{}},
	}
}

// ConfigError is a problem in moose.config.toml at a line and column.
type ConfigError struct {
	File      string
	Line, Col int
	Msg       string
}

func (e *ConfigError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

// ParseConfig decodes a moose.config.toml over the defaults. Unknown keys are
// errors naming the key and its line. file is only used in messages.
func ParseConfig(file string, data []byte) (Config, error) {
	cfg := Default()
	// [kafka_config] is decoded over the defaults too (a section giving
	// only sasl_* keeps the default broker)
	kafka := cfg.Redpanda
	cfg.Kafka = &kafka
	dec := toml.NewDecoder(bytes.NewReader(data)).DisallowUnknownFields()
	if err := dec.Decode(&cfg); err != nil {
		var strict *toml.StrictMissingError
		if errors.As(err, &strict) && len(strict.Errors) > 0 {
			de := strict.Errors[0]
			line, col := de.Position()
			return cfg, &ConfigError{File: file, Line: line, Col: col,
				Msg: fmt.Sprintf("unknown configuration key %q", strings.Join(de.Key(), "."))}
		}
		var derr *toml.DecodeError
		if errors.As(err, &derr) {
			line, col := derr.Position()
			return cfg, &ConfigError{File: file, Line: line, Col: col, Msg: derr.Error()}
		}
		return cfg, &ConfigError{File: file, Msg: err.Error()}
	}
	var probe struct {
		Kafka *struct{} `toml:"kafka_config"`
	}
	if toml.Unmarshal(data, &probe) == nil && probe.Kafka != nil {
		cfg.Redpanda = *cfg.Kafka
	}
	cfg.Kafka = nil
	if cfg.ClickHouse.DBName == "" {
		return cfg, &ConfigError{File: file, Msg: "clickhouse_config.db_name must not be empty"}
	}
	if cfg.SourceDir == "" {
		cfg.SourceDir = "app"
	}
	if err := (source{file, data}).check(&cfg); err != nil {
		return cfg, err
	}
	return cfg, nil
}

// Project is a Moose project on disk.
type Project struct {
	Root   string // absolute path of the project directory
	Config Config
	src    source // the configuration file, for errors at a key's line
}

// Load reads the project at dir. A missing moose.config.toml is an error:
// moose-dev must be pointed at a project.
func Load(dir string) (*Project, error) {
	root, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	path := filepath.Join(root, ConfigFile)
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%s not found in %s: is this a Moose project?", ConfigFile, root)
		}
		return nil, err
	}
	cfg, err := ParseConfig(ConfigFile, data)
	if err != nil {
		return nil, err
	}
	return &Project{Root: root, Config: cfg, src: source{ConfigFile, data}}, nil
}

// AppDir is the absolute path of the source directory (`app/`).
func (p *Project) AppDir() string { return filepath.Join(p.Root, p.Config.SourceDir) }

// StateDir is `.moose/`, where moose-dev keeps its state and embedded data.
func (p *Project) StateDir() string { return filepath.Join(p.Root, ".moose") }

// ClusterNames are the names of [[clickhouse_config.clusters]].
func (c ClickHouseConfig) ClusterNames() []string {
	var out []string
	for _, cl := range c.Clusters {
		if n, ok := cl["name"].(string); ok {
			out = append(out, n)
		}
	}
	return out
}
