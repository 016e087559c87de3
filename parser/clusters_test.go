package parser

import (
	"testing"
)

// A table's cluster must be one the project configures; the error points
// at the option, in either language.
func TestClusterMustBeConfigured(t *testing.T) {
	for _, c := range []struct{ lang, file, src, want string }{
		{"Python", "app/main.py", `from moose_lib import Key, OlapConfig, OlapTable
from pydantic import BaseModel


class M(BaseModel):
    id: Key[str]


t = OlapTable[M]("M", OlapConfig(cluster="east"))
`, `app/main.py:9:34: cluster "east" is not one of [[clickhouse_config.clusters]] (configured: west)`},
		{"Typescript", "app/index.ts", `import { Key, OlapTable } from "@514labs/moose-lib";
interface M { id: Key<string> }
export const t = new OlapTable<M>("M", { orderByFields: ["id"], cluster: "east" });
`, `app/index.ts:3:65: cluster "east" is not one of [[clickhouse_config.clusters]] (configured: west)`},
	} {
		root := t.TempDir()
		files := map[string]string{c.file: c.src}
		if c.lang == "Python" {
			files["app/__init__.py"] = ""
		}
		writeProject(t, root, files)
		_, err := NewLoader(root, "app", c.lang).CheckClusters([]string{"west"}).Load("local")
		if err == nil || err.Error() != c.want {
			t.Errorf("%s: err = %v\nwant %s", c.lang, err, c.want)
		}
		res, err := NewLoader(root, "app", c.lang).CheckClusters([]string{"west", "east"}).Load("local")
		if err != nil || *res.Map.Tables["local_M"].ClusterName != "east" {
			t.Errorf("%s with the cluster configured: %v", c.lang, err)
		}
	}
}
