package broker

import (
	"context"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/moose-dev/moose-dev/differ"
	"github.com/moose-dev/moose-dev/infra"
)

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func topic(name string, parts int, retention uint64) *infra.Topic {
	return &infra.Topic{Name: name, PartitionCount: parts, RetentionPeriod: infra.Duration{Secs: retention}}
}

func TestTopicLifecycleAgainstTheEmbeddedBroker(t *testing.T) {
	dir := t.TempDir()
	addr := freeAddr(t)
	b, err := StartEmbedded(addr, dir)
	if err != nil {
		t.Fatal(err)
	}
	a := &Admin{Addr: b.Addr}
	ctx := context.Background()
	expect := func(step string, want map[string]int) {
		t.Helper()
		got, err := a.Topics(ctx)
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		parts := map[string]int{}
		for k, v := range got {
			parts[k] = v.Partitions
		}
		if fmt.Sprint(parts) != fmt.Sprint(want) {
			t.Fatalf("%s: topics = %v, want %v", step, parts, want)
		}
	}
	ev := topic("Events", 2, 3600)
	if err := a.Apply(ctx, []differ.Change{differ.AddTopic{Topic: ev}}); err != nil {
		t.Fatal(err)
	}
	expect("create", map[string]int{"Events": 2})
	grown := topic("Events", 4, 7200)
	if err := a.Apply(ctx, []differ.Change{differ.UpdateTopic{Before: ev, After: grown}}); err != nil {
		t.Fatal(err)
	}
	expect("grow", map[string]int{"Events": 4})
	if err := a.Apply(ctx, []differ.Change{differ.UpdateTopic{Before: grown, After: ev}}); err == nil {
		t.Fatal("shrinking a topic must be refused")
	}
	// data survives a restart
	b.Close()
	b, err = StartEmbedded(addr, dir)
	if err != nil {
		t.Fatal(err)
	}
	expect("after restart", map[string]int{"Events": 4})
	if err := a.Apply(ctx, []differ.Change{differ.DropTopic{Topic: grown}}); err != nil {
		t.Fatal(err)
	}
	expect("delete", map[string]int{})
	b.Close()
}

func TestNamespacePrefixesTopicNames(t *testing.T) {
	a := &Admin{Namespace: "dev"}
	v := "1.2"
	if got := a.TopicName(&infra.Topic{Name: "Events", Version: &v}); got != "dev.Events_1_2" {
		t.Fatalf("got %q", got)
	}
}

func TestEmbeddedBrokerRefusesNonLoopback(t *testing.T) {
	if _, err := StartEmbedded("0.0.0.0:19092", t.TempDir()); err == nil {
		t.Fatal("want an error for a non-loopback address")
	}
}

func TestATakenBrokerPortNamesItsOwner(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, err = StartEmbedded(ln.Addr().String(), t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "is taken by PID "+strconv.Itoa(os.Getpid())) {
		t.Fatalf("error: %v", err)
	}
}

// One Apply that drops a topic and creates it again with other partitions,
// and grows another, does each on the session's one transport: none of
// them is answered from what the transport read of the topics before.
func TestARecreateAndAGrowInOneApply(t *testing.T) {
	a, ctx := withTopics(t, 2)
	x1, x3 := topic("S0", 1, 3600), topic("S0", 3, 3600)
	y1, y2 := topic("S1", 1, 3600), topic("S1", 2, 3600)
	if err := a.Apply(ctx, []differ.Change{differ.DropTopic{Topic: x1}, differ.UpdateTopic{Before: y1, After: y2}, differ.AddTopic{Topic: x3}}); err != nil {
		t.Fatal(err)
	}
	got, err := a.Topics(ctx)
	if err != nil || got["S0"].Partitions != 3 || got["S1"].Partitions != 2 {
		t.Fatalf("topics %v, %v; want S0 with 3 partitions, S1 with 2", got, err)
	}
}
