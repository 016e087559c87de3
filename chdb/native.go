package chdb

import (
	"bufio"
	"bytes"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	chcompress "github.com/ClickHouse/ch-go/compress"
	chproto "github.com/ClickHouse/ch-go/proto"
	"github.com/ClickHouse/clickhouse-go/v2/lib/column"
	"github.com/ClickHouse/clickhouse-go/v2/lib/proto"
)

// The ClickHouse native protocol (TCP), enough for clickhouse-go and
// clickhouse-client: handshake, ping, queries with settings, result blocks,
// INSERT with data blocks, exceptions, LZ4/ZSTD block compression.
//
// The server announces revision 54451, so clients leave out what later
// revisions added (custom serialization flags, the hello addendum, query
// parameters in the query packet). Blocks travel between the engine and the
// client through clickhouse-go's own block codec: chDB writes and reads the
// plain Native format (revision 0), and each block is re-framed for the
// connection's revision.
const nativeRevision = 54451

// minNativeRevision is the oldest client revision served: settings travel
// as strings from 54429 on.
const minNativeRevision = 54429

// ServeNative serves the native protocol on ln until it is closed.
func (s *Server) ServeNative(ln net.Listener) error {
	for {
		conn, err := ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return nil
			}
			return err
		}
		go s.nativeConn(conn)
	}
}

// nativePanics counts connections dropped after a decoder panic.
var nativePanics atomic.Int64

// nativeSession is one client connection.
type nativeSession struct {
	s        *Server
	conn     net.Conn
	r        *chproto.Reader
	w        *bufio.Writer
	revision uint64
	database string
}

func (s *Server) nativeConn(conn net.Conn) {
	defer conn.Close()
	defer func() {
		// the protocol decoders panic on some malformed packets (a string
		// length beyond memory): drop that connection, keep the engine
		if r := recover(); r != nil {
			nativePanics.Add(1)
			fmt.Fprintf(os.Stderr, "native protocol: dropping a connection from %s after a malformed packet: %v\n", conn.RemoteAddr(), r)
		}
	}()
	ns := &nativeSession{s: s, conn: conn, r: chproto.NewReader(bufio.NewReader(conn)), w: bufio.NewWriter(conn)}
	if err := ns.handshake(); err != nil {
		return
	}
	for {
		code, err := ns.r.UVarInt()
		if err != nil {
			return
		}
		switch chproto.ClientCode(code) {
		case chproto.ClientCodePing:
			ns.send(func(b *chproto.Buffer) { b.PutUVarInt(uint64(chproto.ServerCodePong)) })
		case chproto.ClientCodeCancel:
		case chproto.ClientCodeQuery:
			if err := ns.query(); err != nil {
				return // a broken stream: the client reconnects
			}
		default:
			return
		}
	}
}

func (ns *nativeSession) send(encode func(*chproto.Buffer)) error {
	var b chproto.Buffer
	encode(&b)
	return ns.write([][]byte{b.Buf})
}

func (ns *nativeSession) handshake() error {
	code, err := ns.r.UVarInt()
	if err != nil || chproto.ClientCode(code) != chproto.ClientCodeHello {
		return fmt.Errorf("expected a hello, got %d (%v)", code, err)
	}
	var hello chproto.ClientHello
	if err := hello.Decode(ns.r); err != nil {
		return err
	}
	user := hello.User
	if user == "" {
		user = "default"
	}
	if subtle.ConstantTimeCompare([]byte(user), []byte(ns.s.user)) != 1 ||
		subtle.ConstantTimeCompare([]byte(hello.Password), []byte(ns.s.password)) != 1 {
		ns.exception(&QueryError{Code: 516, Msg: fmt.Sprintf("%s: Authentication failed: password is incorrect, or there is no user with such name. (AUTHENTICATION_FAILED)", user)})
		return errors.New("authentication failed")
	}
	if hello.ProtocolVersion < minNativeRevision {
		ns.exception(&QueryError{Code: 73, Msg: fmt.Sprintf("client protocol revision %d is too old: the embedded engine speaks %d to %d (UNKNOWN_PROTOCOL)",
			hello.ProtocolVersion, minNativeRevision, nativeRevision)})
		return errors.New("client too old")
	}
	ns.revision = min(uint64(hello.ProtocolVersion), nativeRevision)
	ns.database = hello.Database
	major, minor, patch := versionParts(ns.s.version)
	return ns.send(func(b *chproto.Buffer) {
		b.PutUVarInt(uint64(chproto.ServerCodeHello))
		b.PutString("ClickHouse")
		b.PutUVarInt(major)
		b.PutUVarInt(minor)
		b.PutUVarInt(nativeRevision)
		b.PutString("UTC")       // timezone (revision 54058)
		b.PutString("moose-dev") // display name (54372)
		b.PutUVarInt(patch)      // version patch (54401)
	})
}

// versionParts reads "26.7.3.1" as 26, 7, 3.
func versionParts(v string) (major, minor, patch uint64) {
	parts := strings.Split(v, ".")
	num := func(i int) uint64 {
		if i < len(parts) {
			n, _ := strconv.ParseUint(parts[i], 10, 64)
			return n
		}
		return 0
	}
	return num(0), num(1), num(2)
}

// exception sends a ClickHouse exception packet.
func (ns *nativeSession) exception(err error) error {
	qe := &QueryError{Code: 1000, Msg: err.Error()}
	errors.As(err, &qe)
	msg := strings.TrimPrefix(qe.Msg, fmt.Sprintf("Code: %d. ", qe.Code))
	msg = strings.TrimPrefix(msg, "DB::Exception: ")
	return ns.send(func(b *chproto.Buffer) {
		b.PutUVarInt(uint64(chproto.ServerCodeException))
		b.PutInt32(int32(qe.Code))
		b.PutString("DB::Exception")
		b.PutString(msg)
		b.PutString("")
		b.PutBool(false)
	})
}

// reInsertForData is an INSERT whose data the client is to send in blocks:
// nothing follows VALUES or FORMAT.
var reInsertForData = regexp.MustCompile("(?is)^\\s*INSERT\\s+INTO\\s+(?:TABLE\\s+)?((?:`[^`]+`|[\\w$]+)(?:\\.(?:`[^`]+`|[\\w$]+))?)\\s*(?:\\(([^)]*)\\))?\\s*(?:VALUES|FORMAT\\s+\\w+)?\\s*;?\\s*$")

// resultKeywords start statements that return rows (and so a header block).
var resultKeywords = map[string]bool{"SELECT": true, "WITH": true, "SHOW": true, "DESCRIBE": true, "DESC": true,
	"EXISTS": true, "EXPLAIN": true, "CHECK": true, "(": true}

func (ns *nativeSession) query() error {
	var q chproto.Query
	if err := q.DecodeAware(ns.r, int(ns.revision)); err != nil {
		return err
	}
	compressed := q.Compression == chproto.CompressionEnabled
	// the external tables that follow the query end with an empty block
	for {
		block, err := ns.readData(compressed)
		if err != nil {
			return err
		}
		if block.Rows() == 0 && len(block.Columns) == 0 {
			break
		}
	}
	settings := map[string]string{}
	for _, st := range q.Settings {
		settings[st.Key] = st.Value
	}
	params := map[string]string{}
	for _, p := range q.Parameters {
		params["param_"+p.Key] = p.Value
	}
	if m := reInsertForData.FindStringSubmatch(q.Body); m != nil {
		return ns.insert(m[1], m[2], settings, compressed)
	}
	out, err := ns.s.run(ns.database, settings, params, q.Body, "Native", nil)
	if err == nil && len(out) == 0 && resultKeywords[firstWord(q.Body)] {
		// the engine writes no block for an empty result; the client needs
		// the header: names and types, from a format that always has them
		var header []byte
		if header, err = ns.s.run(ns.database, settings, params, q.Body, "RowBinaryWithNamesAndTypes", nil); err == nil {
			out, err = headerBlock(header)
		}
	}
	return ns.reply(out, err, compressed)
}

func firstWord(q string) string {
	q = strings.TrimSpace(q)
	if strings.HasPrefix(q, "(") {
		return "("
	}
	end := strings.IndexFunc(q, func(r rune) bool { return r == ' ' || r == '\n' || r == '\t' || r == '\r' || r == '(' })
	if end < 0 {
		end = len(q)
	}
	return strings.ToUpper(q[:end])
}

// insert answers an INSERT that sends its data: the table's header, then
// the client's blocks, written to the engine as Native.
func (ns *nativeSession) insert(table, columns string, settings map[string]string, compressed bool) error {
	desc, err := ns.s.run(ns.database, settings, nil, "DESCRIBE TABLE "+table, "TabSeparated", nil)
	if err != nil {
		return ns.exception(err)
	}
	header, err := insertHeader(desc, columns)
	if err != nil {
		return ns.exception(err)
	}
	var hb chproto.Buffer
	if err := header.Encode(&hb, 0); err != nil {
		return ns.exception(err)
	}
	packets, err := ns.frame(hb.Buf, compressed)
	if err != nil {
		return ns.exception(err)
	}
	if err := ns.write(packets); err != nil {
		return err
	}
	var data bytes.Buffer
	for {
		block, err := ns.readData(compressed)
		if err != nil {
			return err
		}
		if block.Rows() == 0 {
			break
		}
		var b chproto.Buffer
		if err := block.Encode(&b, 0); err != nil {
			return ns.exception(err)
		}
		data.Write(b.Buf)
	}
	if data.Len() > 0 {
		target := table
		if columns != "" {
			target += " (" + columns + ")"
		}
		_, err = ns.s.run(ns.database, settings, nil, "INSERT INTO "+target+" FORMAT Native", "TabSeparated", data.Bytes())
	}
	return ns.reply(nil, err, compressed)
}

// insertHeader is the block of the columns an INSERT fills: those named,
// or every column the table stores (not MATERIALIZED, ALIAS or EPHEMERAL).
func insertHeader(describe []byte, columns string) (*proto.Block, error) {
	types := map[string]string{}
	var stored []string
	for _, line := range strings.Split(strings.TrimRight(string(describe), "\n"), "\n") {
		f := strings.Split(line, "\t")
		if len(f) < 2 {
			continue
		}
		types[f[0]] = f[1]
		if len(f) < 3 || f[2] == "" || f[2] == "DEFAULT" {
			stored = append(stored, f[0])
		}
	}
	names := stored
	if columns != "" {
		names = nil
		for _, c := range strings.Split(columns, ",") {
			names = append(names, strings.Trim(strings.TrimSpace(c), "`"))
		}
	}
	block := proto.NewBlock()
	for _, n := range names {
		t, ok := types[n]
		if !ok {
			return nil, &QueryError{Code: 16, Msg: fmt.Sprintf("No such column %s in table. (NO_SUCH_COLUMN_IN_TABLE)", n)}
		}
		if err := block.AddColumn(n, column.Type(t)); err != nil {
			return nil, err
		}
	}
	return block, nil
}

// headerBlock turns the header of RowBinaryWithNamesAndTypes output (a
// count, the names, the types) into an empty Native block.
func headerBlock(rb []byte) ([]byte, error) {
	r := chproto.NewReader(bytes.NewReader(rb))
	n, err := r.UVarInt()
	if err != nil {
		return nil, err
	}
	names := make([]string, n)
	for i := range names {
		if names[i], err = r.Str(); err != nil {
			return nil, err
		}
	}
	block := proto.NewBlock()
	for i := range names {
		t, err := r.Str()
		if err != nil {
			return nil, err
		}
		if err := block.AddColumn(names[i], column.Type(t)); err != nil {
			return nil, err
		}
	}
	var b chproto.Buffer
	if err := block.Encode(&b, 0); err != nil {
		return nil, err
	}
	return b.Buf, nil
}

// readData reads a client Data packet: its code, the table name, and a
// block (compressed when the query said so).
func (ns *nativeSession) readData(compressed bool) (*proto.Block, error) {
	code, err := ns.r.UVarInt()
	if err != nil {
		return nil, err
	}
	if chproto.ClientCode(code) != chproto.ClientCodeData {
		return nil, fmt.Errorf("expected a data packet, got %d", code)
	}
	if _, err := ns.r.Str(); err != nil {
		return nil, err
	}
	if compressed {
		ns.r.EnableCompression()
		defer ns.r.DisableCompression()
	}
	block := &proto.Block{ServerContext: &column.ServerContext{Timezone: time.UTC}}
	if err := block.Decode(ns.r, ns.revision); err != nil {
		return nil, err
	}
	return block, nil
}

// frame re-frames the engine's Native output for this connection: one
// Data packet per block, at the connection's revision, compressed when the
// query asked. A block the codec cannot read is an error for the client.
func (ns *nativeSession) frame(native []byte, compressed bool) ([][]byte, error) {
	var packets [][]byte
	r := chproto.NewReader(bytes.NewReader(native))
	for {
		block := &proto.Block{ServerContext: &column.ServerContext{Timezone: time.UTC}}
		if err := block.Decode(r, 0); err != nil {
			if errors.Is(err, io.EOF) {
				return packets, nil
			}
			return nil, err
		}
		var body chproto.Buffer
		if err := block.Encode(&body, ns.revision); err != nil {
			return nil, err
		}
		payload := body.Buf
		if compressed {
			var err error
			if payload, err = compressBlocks(payload, chcompress.LZ4); err != nil {
				return nil, err
			}
		}
		var b chproto.Buffer
		b.PutUVarInt(uint64(chproto.ServerCodeData))
		b.PutString("")
		b.PutRaw(payload)
		packets = append(packets, b.Buf)
	}
}

// reply sends the engine's output as Data packets and ends the stream, or
// sends the exception that stopped it.
func (ns *nativeSession) reply(native []byte, err error, compressed bool) error {
	var packets [][]byte
	if err == nil {
		packets, err = ns.frame(native, compressed)
	}
	if err != nil {
		return ns.exception(err)
	}
	var eos chproto.Buffer
	eos.PutUVarInt(uint64(chproto.ServerCodeEndOfStream))
	return ns.write(append(packets, eos.Buf))
}

// write sends packets and flushes.
func (ns *nativeSession) write(packets [][]byte) error {
	for _, p := range packets {
		if _, err := ns.w.Write(p); err != nil {
			return err
		}
	}
	return ns.w.Flush()
}
