package clickhouse

import "testing"

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
