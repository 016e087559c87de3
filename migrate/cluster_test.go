package migrate

import (
	"strings"
	"testing"

	"github.com/moose-dev/moose-dev/infra"
)

func TestStateClusterIsTheFirstConfiguredClusterTheCodeUses(t *testing.T) {
	str := func(s string) *string { return &s }
	m := infra.NewMap("local")
	m.AddTable(&infra.Table{Name: "A", ClusterName: str("b")})
	m.AddTable(&infra.Table{Name: "B"})
	if got := StateCluster([]string{"a", "b", "c"}, m); got != "b" {
		t.Errorf("StateCluster = %q, want b (the only configured cluster a table is on)", got)
	}
	m.AddTable(&infra.Table{Name: "C", ClusterName: str("c")})
	if got := StateCluster([]string{"c", "b"}, m); got != "c" {
		t.Errorf("StateCluster = %q, want c (the first configured of those in use)", got)
	}
	if got := StateCluster([]string{"a"}, m); got != "" {
		t.Errorf("StateCluster = %q, want none: no table is on a", got)
	}
}

// TestTheStoreTablesAreReplicatedOnACluster: on one server the state and
// lock tables are MergeTree; on a cluster ReplicatedMergeTree ON CLUSTER,
// with the deduplication window under the replicated setting's name (the
// lock's claims are deduplicated by token in Keeper).
func TestTheStoreTablesAreReplicatedOnACluster(t *testing.T) {
	s := &Store{db: "local"}
	one := s.createSQL(LockTable, "gen UInt64", "gen", 10000)
	if one != "CREATE TABLE IF NOT EXISTS `local`.`_MOOSE_MIGRATION_LOCK` (gen UInt64) ENGINE = MergeTree ORDER BY gen SETTINGS non_replicated_deduplication_window = 10000" {
		t.Errorf("one server: %s", one)
	}
	s.OnCluster("main")
	on := s.createSQL(LockTable, "gen UInt64", "gen", 10000)
	if on != "CREATE TABLE IF NOT EXISTS `local`.`_MOOSE_MIGRATION_LOCK` ON CLUSTER `main` (gen UInt64) ENGINE = ReplicatedMergeTree ORDER BY gen SETTINGS replicated_deduplication_window = 10000" {
		t.Errorf("cluster: %s", on)
	}
	if st := s.createSQL(StateTable, "key String", "key", 0); strings.Contains(st, "SETTINGS") || !strings.Contains(st, "ReplicatedMergeTree") {
		t.Errorf("state table on a cluster: %s", st)
	}
}
