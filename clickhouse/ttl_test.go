package clickhouse

import (
	"strings"
	"testing"
)

func TestTableTTLIsFoundInTheCreateQuery(t *testing.T) {
	for q, want := range map[string]string{
		"CREATE TABLE local.t (`id` String, `v` String TTL ts + toIntervalDay(1)) ENGINE = MergeTree ORDER BY id TTL ts + toIntervalDay(30) SETTINGS index_granularity = 8192": "ts + toIntervalDay(30)",
		"CREATE TABLE local.t (`id` String) ENGINE = MergeTree ORDER BY id TTL ts + toIntervalDay(30) DELETE, ts + toIntervalDay(7) TO VOLUME 'cold' COMMENT 'x'":              "ts + toIntervalDay(30) DELETE, ts + toIntervalDay(7) TO VOLUME 'cold'",
		"CREATE TABLE local.t (`id` String, `v` String TTL ts + toIntervalDay(1)) ENGINE = MergeTree ORDER BY id SETTINGS index_granularity = 8192":                            "",
		"CREATE TABLE local.t (`id` String) ENGINE = MergeTree ORDER BY id COMMENT ' TTL not this'":                                                                            "",
		"CREATE VIEW local.v AS SELECT 1": "",
	} {
		got := ""
		if p := TableTTL(q); p != nil {
			got = *p
		}
		if got != want {
			t.Errorf("%s\n got %q\nwant %q", q, got, want)
		}
	}
}

func TestTableSettingsAreReadFromTheCreateQuery(t *testing.T) {
	q := "CREATE TABLE local.p1 (`id` String) ENGINE = MergeTree ORDER BY id TTL at + toIntervalDay(1) SETTINGS allow_nullable_key = true, " +
		"merge_with_ttl_timeout = '3600', deduplicate_merge_projection_mode = 'it''s, odd', storage_policy = 'a\\'b', index_granularity = 8192 COMMENT 'SETTINGS x = 1'"
	got := TableSettings(q)
	want := map[string]string{"allow_nullable_key": "true", "merge_with_ttl_timeout": "3600", "deduplicate_merge_projection_mode": "it's, odd",
		"storage_policy": "a'b", "index_granularity": "8192"}
	if len(got) != len(want) {
		t.Fatalf("got %q", got)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	if s := TableSettings("CREATE TABLE t (`id` String) ENGINE = Memory"); s != nil {
		t.Errorf("no SETTINGS clause: %q", s)
	}
}

// FuzzTableTTL: any CREATE query gives a TTL or none, never a panic, and a
// found TTL is text of the query after its engine.
func FuzzTableTTL(f *testing.F) {
	f.Add("CREATE TABLE local.t (`id` String) ENGINE = MergeTree ORDER BY id TTL ts + toIntervalDay(30) SETTINGS index_granularity = 8192")
	f.Add("CREATE TABLE t (a String) ENGINE = MergeTree ORDER BY a TTL a + 1 COMMENT 'c'")
	f.Add(" ENGINE =  TTL 'x")
	f.Fuzz(func(t *testing.T, q string) {
		TableSettings(q)
		ttl := TableTTL(q)
		if ttl == nil {
			return
		}
		if *ttl == "" || !strings.Contains(q[strings.Index(q, " ENGINE = "):], *ttl) {
			t.Fatalf("TTL %q is not text of %q after its engine", *ttl, q)
		}
	})
}
