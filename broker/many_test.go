package broker

import (
	"context"
	"fmt"
	"testing"

	"github.com/moose-dev/moose-dev/differ"
)

// A project with hundreds of streams gets its topics in one reload: the
// changes share one connection (one per topic ran out of the broker's
// patience: "Broker Not Available" after 300-odd topics, every reload failing).
func TestHundredsOfTopicsAreCreatedInOneApply(t *testing.T) {
	b, err := StartEmbedded(freeAddr(t), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	a := &Admin{Addr: b.Addr}
	var changes []differ.Change
	for i := range 500 {
		changes = append(changes, differ.AddTopic{Topic: topic(fmt.Sprintf("S%d", i), 1, 3600)})
	}
	ctx := context.Background()
	if err := a.Apply(ctx, changes); err != nil {
		t.Fatal(err)
	}
	got, err := a.Topics(ctx)
	if err != nil || len(got) != 500 {
		t.Fatalf("%d topics, %v", len(got), err)
	}
}
