package chdb

import (
	"bytes"
	"net"
	"testing"
	"time"

	chproto "github.com/ClickHouse/ch-go/proto"
)

// engineStub answers every query with an error, as the engine would a bad one.
type engineStub struct{}

func (engineStub) Query(query, format string) ([]byte, error) {
	return nil, &QueryError{Code: 62, Msg: "Code: 62. DB::Exception: stub. (SYNTAX_ERROR)"}
}

func helloBytes(user, password string) []byte {
	var b chproto.Buffer
	chproto.ClientHello{Name: "fuzz", Major: 1, ProtocolVersion: 54460, Database: "default", User: user, Password: password}.Encode(&b)
	return b.Buf
}

// converse runs one native connection over a pipe: in is what the client
// sends, then it hangs up. It fails if the connection does not end.
func converse(t *testing.T, s *Server, in []byte) {
	client, server := net.Pipe()
	done := make(chan struct{})
	go func() {
		s.nativeConn(server)
		close(done)
	}()
	go func() {
		client.SetDeadline(time.Now().Add(2 * time.Second))
		client.Write(in)
		client.Close()
	}()
	go func() { // drain what the server says
		var sink bytes.Buffer
		sink.ReadFrom(client)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the connection did not end")
	}
}

// FuzzNativeConn: whatever a client sends after a valid hello, the
// connection ends without a panic and without hanging. Bytes are masked to
// seven bits, so every declared length stays below 128: the protocol
// decoders (ch-go's and clickhouse-go's, the ones real clients use)
// allocate whatever length a stream declares before reading it, so a
// corrupt stream declaring gigabytes exhausts memory; the port is on
// loopback for that reason, among others.
func FuzzNativeConn(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{4})          // ping
	f.Add([]byte{1, 0, 0})    // a truncated query
	f.Add([]byte{2, 0, 1, 2}) // data before any query
	s := NewServer(engineStub{}, "u", "p", f.TempDir())
	hello := helloBytes("u", "p")
	f.Fuzz(func(t *testing.T, in []byte) {
		masked := make([]byte, len(in))
		for i, b := range in {
			masked[i] = b & 0x7f
		}
		converse(t, s, append(append([]byte{}, hello...), masked...))
	})
}

func TestAMalformedHelloDropsOnlyThatConnection(t *testing.T) {
	s := NewServer(engineStub{}, "u", "p", t.TempDir())
	// a string length beyond what memory can hold: the decoder panics
	converse(t, s, []byte{0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f})
	// and the server goes on serving
	converse(t, s, append(helloBytes("u", "p"), 4))
}
