package broker

import (
	"context"
	"testing"
	"time"
)

func TestTopicsCanBeListedRepeatedly(t *testing.T) {
	b, err := StartEmbedded(freeAddr(t), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	a := &Admin{Addr: b.Addr}
	for i := 0; i < 25; i++ {
		time.Sleep(150 * time.Millisecond)
		start := time.Now()
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		_, err := a.Topics(ctx)
		cancel()
		if err != nil {
			t.Fatalf("call %d after %v: %v", i, time.Since(start), err)
		}
	}
}
