package broker

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/moose-dev/moose-dev/differ"
)

// A project with hundreds of streams gets its topics in one reload: the
// changes share one connection (one per topic ran out of the broker's
// patience: "Broker Not Available" after 300-odd topics, every reload failing).
func TestHundredsOfTopicsAreCreatedInOneApply(t *testing.T) {
	a, ctx := withTopics(t, 500)
	got, err := a.Topics(ctx)
	if err != nil || len(got) != 500 {
		t.Fatalf("%d topics, %v", len(got), err)
	}
}

// Listing topics and applying changes on transports of their own keeps
// nothing once they are done: kafka-go's idle-connection timers, which
// outlive CloseIdleConnections, held each call's copy of the metadata for
// 30 s (the dev loop at 2,000 streams grew by 100 MiB in a minute of saves).
func TestCallsLeaveNoMetadataBehind(t *testing.T) {
	a, ctx := withTopics(t, 1000)
	heap := func() uint64 {
		runtime.GC()
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}
	before := heap()
	for range 10 {
		if _, err := a.Topics(ctx); err != nil {
			t.Fatal(err)
		}
		if err := a.Apply(ctx, []differ.Change{differ.UpdateTopic{Before: topic("S1", 1, 3600), After: topic("S1", 1, 3600)}}); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(1500 * time.Millisecond) // past the transports' idle timeout
	// 10 calls kept 24 MiB of metadata at 1,000 topics when it was leaked
	if grown := int64(heap()) - int64(before); grown > 4<<20 {
		t.Fatalf("the heap grew by %d KiB over 10 listings", grown>>10)
	}
}

// withTopics starts a broker and creates n topics (S0...) in one Apply.
func withTopics(t *testing.T, n int) (*Admin, context.Context) {
	t.Helper()
	b, err := StartEmbedded(freeAddr(t), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	a := &Admin{Addr: b.Addr}
	var changes []differ.Change
	for i := range n {
		changes = append(changes, differ.AddTopic{Topic: topic(fmt.Sprintf("S%d", i), 1, 3600)})
	}
	ctx := context.Background()
	if err := a.Apply(ctx, changes); err != nil {
		t.Fatal(err)
	}
	return a, ctx
}
