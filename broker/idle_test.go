package broker

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/moose-dev/moose-dev/differ"
)

// After topic changes, the admin leaves nothing running: no background
// metadata refresh keeps asking the broker (it once did, a thousand times a
// second, for as long as the daemon lived).
func TestAnIdleAdminSendsNothing(t *testing.T) {
	b, err := StartEmbedded(freeAddr(t), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	a := &Admin{Addr: b.Addr}
	ctx := context.Background()
	if err := a.Apply(ctx, []differ.Change{differ.AddTopic{Topic: topic("Idle", 1, 60)}}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Topics(ctx); err != nil {
		t.Fatal(err)
	}
	// requests already on their way when the admin returned (a transport's
	// last refresh, racing its close) land first
	time.Sleep(200 * time.Millisecond)
	var requests atomic.Int64
	b.cluster.Control(func(kmsg.Request) (kmsg.Response, error, bool) {
		requests.Add(1)
		return nil, nil, false // observe only
	})
	time.Sleep(500 * time.Millisecond)
	if n := requests.Load(); n > 0 {
		t.Fatalf("%d requests reached the broker while nothing was asked of it", n)
	}
}
