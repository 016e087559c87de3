package project

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/moose-dev/moose-dev/internal/portowner"
)

func TestDefaultsMatchUpstream(t *testing.T) {
	cfg, err := ParseConfig("moose.config.toml", []byte(""))
	if err != nil {
		t.Fatal(err)
	}
	c := cfg.ClickHouse
	if c.DBName != "local" || c.HostPort != 18123 || c.User != "panda" || c.Password != "pandapass" {
		t.Errorf("clickhouse defaults: %+v", c)
	}
	if cfg.Redpanda.Broker != "localhost:19092" || !cfg.Features.StreamingEngine || cfg.Features.Workflows || !cfg.Features.OLAP {
		t.Errorf("defaults: %+v %+v", cfg.Redpanda, cfg.Features)
	}
	if cfg.SourceDir != "app" || cfg.Language != "Python" {
		t.Errorf("source: %q %q", cfg.SourceDir, cfg.Language)
	}
}

func TestUnknownKeyNamesTheKeyAndItsLine(t *testing.T) {
	src := "language = \"Python\"\n\n[clickhouse_config]\ndb_name = \"x\"\nhost_prot = 1\n"
	_, err := ParseConfig("moose.config.toml", []byte(src))
	var ce *ConfigError
	if !errors.As(err, &ce) {
		t.Fatalf("want ConfigError, got %v", err)
	}
	if ce.Line != 5 || err.Error() != `moose.config.toml:5:1: unknown configuration key "clickhouse_config.host_prot"` {
		t.Fatalf("got %q", err)
	}
}

func TestBadValueIsPositioned(t *testing.T) {
	_, err := ParseConfig("moose.config.toml", []byte("[clickhouse_config]\nhost_port = \"abc\"\n"))
	var ce *ConfigError
	if !errors.As(err, &ce) || ce.Line != 2 {
		t.Fatalf("want a positioned error on line 2, got %v", err)
	}
}

func TestUpstreamTemplateLoads(t *testing.T) {
	// the sections upstream's Python template writes, including ones
	// moose-dev does not use
	src := `language = "Python"
source_dir = "app"
[redpanda_config]
broker = "localhost:19092"
message_timeout_ms = 1000
retention_ms = 30000
replication_factor = 1
[clickhouse_config]
db_name = "local"
user = "panda"
password = "pandapass"
use_ssl = false
host = "localhost"
host_port = 18123
native_port = 9000
[http_server_config]
host = "localhost"
port = 4000
management_port = 5001
[redis_config]
url = "redis://127.0.0.1:6379"
key_prefix = "MS"
[git_config]
main_branch_name = "main"
[temporal_config]
db_user = "temporal"
temporal_port = 7233
[supported_old_versions]
[authentication]
admin_api_key = ""
[features]
streaming_engine = true
workflows = false
`
	if _, err := ParseConfig("moose.config.toml", []byte(src)); err != nil {
		t.Fatal(err)
	}
}

func TestKafkaConfigIsAnAliasOfRedpandaConfig(t *testing.T) {
	cfg, err := ParseConfig("m", []byte("[kafka_config]\nbroker = \"127.0.0.1:9999\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Redpanda.Broker != "127.0.0.1:9999" {
		t.Fatalf("broker = %q", cfg.Redpanda.Broker)
	}
	// a section setting some keys keeps the defaults of the others
	cfg, err = ParseConfig("m", []byte("[kafka_config]\nnamespace = \"dev\"\n"))
	if err != nil || cfg.Redpanda.Broker != "localhost:19092" || cfg.Redpanda.Namespace != "dev" || cfg.Redpanda.ReplicationFactor != 1 {
		t.Fatalf("broker %q, namespace %q, replication %d: %v", cfg.Redpanda.Broker, cfg.Redpanda.Namespace, cfg.Redpanda.ReplicationFactor, err)
	}
}

func TestLoadSaysWhenTheConfigIsMissing(t *testing.T) {
	if _, err := Load(t.TempDir()); err == nil {
		t.Fatal("want an error")
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, ConfigFile), []byte("source_dir = \"src\"\n"), 0o644)
	p, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if p.AppDir() != filepath.Join(dir, "src") || p.StateDir() != filepath.Join(dir, ".moose") {
		t.Fatalf("paths: %s %s", p.AppDir(), p.StateDir())
	}
}

func TestLockRefusesASecondDaemonAndTakesOverAStaleLock(t *testing.T) {
	p := &Project{Root: t.TempDir()}
	release, err := p.Lock()
	if err != nil {
		t.Fatal(err)
	}
	// a live PID that is not us holds the lock: the parent of this test
	os.WriteFile(filepath.Join(p.StateDir(), "dev.pid"), []byte(fmt.Sprint(os.Getppid())), 0o644)
	if _, err := p.Lock(); !errors.Is(err, ErrRunning) {
		t.Fatalf("want ErrRunning, got %v", err)
	}
	// a PID that does not run is stale
	os.WriteFile(filepath.Join(p.StateDir(), "dev.pid"), []byte("999999999"), 0o644)
	release2, err := p.Lock()
	if err != nil {
		t.Fatalf("a stale lock must be taken over: %v", err)
	}
	release2()
	// a killed moose-dev whose exit was not collected yet (a zombie) is gone
	zombie := exec.Command("true")
	if err := zombie.Start(); err != nil {
		t.Fatal(err)
	}
	defer zombie.Wait()
	for deadline := time.Now().Add(30 * time.Second); portowner.Running(zombie.Process.Pid); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the child did not exit")
		}
	}
	os.WriteFile(filepath.Join(p.StateDir(), "dev.pid"), []byte(fmt.Sprint(zombie.Process.Pid)), 0o644)
	release3, err := p.Lock()
	if err != nil {
		t.Fatalf("the lock of a zombie must be taken over: %v", err)
	}
	release3()
	release()
}
