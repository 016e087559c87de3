package chdb

import (
	"bytes"
	"net"
	"strings"
	"testing"
	"time"

	chcompress "github.com/ClickHouse/ch-go/compress"
	chproto "github.com/ClickHouse/ch-go/proto"
	"github.com/ClickHouse/clickhouse-go/v2/lib/column"
	"github.com/ClickHouse/clickhouse-go/v2/lib/proto"
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

// scriptedConn is a client that has said everything at once: reads return
// its bytes, then EOF; what the server writes is kept. (A net.Pipe closed by
// the client after writing fails the server's first reply, so nothing after
// the hello would ever be served.)
type scriptedConn struct {
	in  *bytes.Reader
	out bytes.Buffer
}

func (c *scriptedConn) Read(p []byte) (int, error)  { return c.in.Read(p) }
func (c *scriptedConn) Write(p []byte) (int, error) { return c.out.Write(p) }
func (c *scriptedConn) Close() error                { return nil }
func (c *scriptedConn) LocalAddr() net.Addr {
	return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 9000}
}
func (c *scriptedConn) RemoteAddr() net.Addr {
	return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 1}
}
func (c *scriptedConn) SetDeadline(time.Time) error      { return nil }
func (c *scriptedConn) SetReadDeadline(time.Time) error  { return nil }
func (c *scriptedConn) SetWriteDeadline(time.Time) error { return nil }

// converse serves one native connection whose client sends in and then
// hangs up, and returns what the server said. It fails if the connection
// does not end.
func converse(t *testing.T, s *Server, in []byte) []byte {
	t.Helper()
	conn := &scriptedConn{in: bytes.NewReader(in)}
	done := make(chan struct{})
	go func() {
		s.nativeConn(conn)
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the connection did not end")
	}
	return conn.out.Bytes()
}

// FuzzNativeConn: whatever a client sends after a valid hello, the
// connection ends without a panic and without hanging. The server recovers
// a decoder panic (it drops only that connection), so the target reads the
// counter it keeps: a recovered panic fails the target. Bytes are masked to
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
	s := NewServer("u", "p", f.TempDir(), engineStub{})
	hello := helloBytes("u", "p")
	f.Fuzz(func(t *testing.T, in []byte) {
		masked := make([]byte, len(in))
		for i, b := range in {
			masked[i] = b & 0x7f
		}
		before := nativePanics.Load()
		converse(t, s, append(append([]byte{}, hello...), masked...))
		if n := nativePanics.Load() - before; n != 0 {
			t.Fatalf("the server recovered %d panic(s) on this input (see the log above)", n)
		}
	})
}

func TestAMalformedHelloDropsOnlyThatConnection(t *testing.T) {
	s := NewServer("u", "p", t.TempDir(), engineStub{})
	// a string length beyond what memory can hold: the decoder panics
	before := nativePanics.Load()
	converse(t, s, []byte{0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f})
	if nativePanics.Load() != before+1 {
		t.Fatal("the malformed hello was expected to make the decoder panic")
	}
	// and the server goes on serving: a ping after the hello is answered
	if out := converse(t, s, append(helloBytes("u", "p"), byte(chproto.ClientCodePing))); !bytes.HasSuffix(out, []byte{byte(chproto.ServerCodePong)}) {
		t.Fatalf("no pong after the hello: % x", out)
	}
}

// engineFake answers like the engine for the native query paths: a table
// description, a one-row Native block, a RowBinaryWithNamesAndTypes header,
// and silence for everything else.
type engineFake struct{}

func (engineFake) Query(query, format string) ([]byte, error) {
	switch {
	case strings.HasPrefix(query, "DESCRIBE"):
		return []byte("id\tString\t\t\t\t\t\nn\tInt64\t\t\t\t\t\n"), nil
	case format == "Native" && strings.HasPrefix(strings.ToUpper(strings.TrimSpace(query)), "SELECT"):
		block := proto.NewBlock()
		block.AddColumn("x", column.Type("String"))
		block.Append("v")
		var b chproto.Buffer
		block.Encode(&b, 0)
		return b.Buf, nil
	case format == "RowBinaryWithNamesAndTypes":
		var b chproto.Buffer
		b.PutUVarInt(1)
		b.PutString("x")
		b.PutString("String")
		return b.Buf, nil
	}
	return nil, nil
}

// FuzzNativeQuery: well-framed queries with any body (and, for an INSERT,
// a data block), with or without compression, end without a panic or a
// hang, and a query without data leaves the connection in step: the ping
// that follows is answered (the INSERT detection, headers, framing and
// replies).
func FuzzNativeQuery(f *testing.F) {
	f.Add("SELECT 1", false, false)
	f.Add("INSERT INTO t VALUES", true, true)
	f.Add("INSERT INTO `db`.`t` (id, n) FORMAT Native", false, true)
	f.Add("WITH 1 AS x SELECT x WHERE 0", true, false)
	f.Add("CREATE TABLE t (id String) ENGINE = Memory", false, false)
	s := NewServer("u", "p", f.TempDir(), engineFake{})
	f.Fuzz(func(t *testing.T, body string, compressed, data bool) {
		var b chproto.Buffer
		b.PutRaw(helloBytes("u", "p"))
		b.PutUVarInt(uint64(chproto.ClientCodeQuery))
		q := proto.Query{Body: body, Compression: compressed, ClientName: "fuzz", ClientTCPProtocolVersion: nativeRevision}
		if err := q.Encode(&b, nativeRevision); err != nil {
			t.Skip(err)
		}
		block := func(rows bool) {
			b.PutUVarInt(uint64(chproto.ClientCodeData))
			b.PutString("")
			blk := proto.NewBlock()
			if rows {
				blk.AddColumn("id", column.Type("String"))
				blk.AddColumn("n", column.Type("Int64"))
				blk.Append("a", int64(1))
			}
			var raw chproto.Buffer
			blk.Encode(&raw, nativeRevision)
			if compressed {
				framed, _ := compressBlocks(raw.Buf, chcompress.LZ4)
				b.PutRaw(framed)
			} else {
				b.PutRaw(raw.Buf)
			}
		}
		block(false) // the end of external tables
		if data {
			block(true)
			block(false)
		}
		b.PutUVarInt(uint64(chproto.ClientCodePing))
		before := nativePanics.Load()
		out := converse(t, s, b.Buf)
		if nativePanics.Load() != before {
			t.Fatal("a well-framed conversation made the server panic")
		}
		// a query that takes no data leaves the connection in step: the
		// ping after it is answered (data blocks the server did not ask
		// for, or that follow an INSERT it refused, end the connection)
		if !data && !reInsertForData.MatchString(body) && !bytes.HasSuffix(out, []byte{byte(chproto.ServerCodePong)}) {
			t.Fatalf("the ping after the query was not answered; the server said % x", out)
		}
	})
}
