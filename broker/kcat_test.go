package broker

import (
	"context"
	"os/exec"
	"strings"
	"testing"

	"github.com/moose-dev/moose-dev/differ"
	"github.com/moose-dev/moose-dev/internal/chtest"
)

// kcat, the tool the dev loop's startup report suggests (kcat -b ADDR -L),
// against the embedded broker: list, produce, consume.
func TestKcatListsProducesAndConsumes(t *testing.T) {
	chtest.RequireTool(t, "kcat", "Debian: apt-get install kcat")
	b, err := StartEmbedded(freeAddr(t), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	a := &Admin{Addr: b.Addr}
	if err := a.Apply(context.Background(), []differ.Change{differ.AddTopic{Topic: topic("PageView", 2, 3600)}}); err != nil {
		t.Fatal(err)
	}
	kcat := func(stdin string, args ...string) string {
		t.Helper()
		cmd := exec.Command("kcat", append([]string{"-b", b.Addr, "-m", "10"}, args...)...)
		cmd.Stdin = strings.NewReader(stdin)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("kcat %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	if got := kcat("", "-L", "-t", "PageView"); !strings.Contains(got, `topic "PageView" with 2 partitions`) {
		t.Fatalf("kcat -L:\n%s", got)
	}
	kcat("{\"id\":\"a\"}\n{\"id\":\"b\"}\n{\"id\":\"c\"}\n", "-P", "-t", "PageView", "-p", "0")
	got := kcat("", "-C", "-t", "PageView", "-p", "0", "-o", "beginning", "-c", "3", "-e", "-f", "%o %s\n")
	if got != "0 {\"id\":\"a\"}\n1 {\"id\":\"b\"}\n2 {\"id\":\"c\"}\n" {
		t.Fatalf("kcat -C:\n%s", got)
	}
}
