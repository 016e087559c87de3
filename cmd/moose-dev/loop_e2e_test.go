package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// waitQuery polls sql until its answer contains want.
func (p *devProject) waitQuery(sql, want string) {
	p.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		got := p.query(sql)
		if strings.Contains(got, want) {
			return
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("%s: %q, want %q; output:\n%s", sql, got, want, p.out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Issue 11 item 7: a save made after the first load read the project (here
// while its tables are being created) is applied, not lost until the next
// save.
func TestASaveDuringTheFirstLoadIsApplied(t *testing.T) {
	p := newDevProject(t)
	var models, tables strings.Builder
	models.WriteString("from moose_lib import Key, OlapTable\nfrom pydantic import BaseModel\n\n")
	for i := range 80 {
		fmt.Fprintf(&models, "\nclass T%d(BaseModel):\n    id: Key[str]\n    v: str\n\n", i)
		fmt.Fprintf(&tables, "t%d = OlapTable[T%d](\"T%d\")\n", i, i, i)
	}
	p.write("models.py", models.String())
	p.write("main.py", "from moose_lib import OlapTable\nfrom app.models import *\n\n"+tables.String())
	p.startNoWait("--infra", "embedded")
	p.waitOutput("Table: T0", 1) // the project was read; its tables are being created
	p.edit("models.py", "class T79(BaseModel):\n    id: Key[str]\n    v: str\n", "class T79(BaseModel):\n    id: Key[str]\n    v: str\n    late: str\n")
	p.waitOutput("Watching", 1)
	p.waitQuery("SELECT name FROM system.columns WHERE database = 'local' AND table = 'T79' FORMAT CSV", `"late"`)
}

// Issue 11 item 7: after a failed apply, saving the same content again (a
// touch) retries it.
func TestATouchRetriesAFailedApply(t *testing.T) {
	p := newDevProject(t)
	p.start()
	p.query("INSERT INTO local.PageView (id, url, duration_ms) VALUES ('a', 'not a number', 1)")
	p.edit("models.py", "    url: str\n", "    url: int\n")
	p.waitOutput("Executing changes to the infrastructure failed", 1)
	p.query("TRUNCATE TABLE local.PageView")
	now := time.Now()
	if err := os.Chtimes(filepath.Join(p.dir, "app", "models.py"), now, now); err != nil {
		t.Fatal(err)
	}
	p.waitQuery("SELECT type FROM system.columns WHERE database = 'local' AND table = 'PageView' AND name = 'url' FORMAT CSV", "Int64")
}
