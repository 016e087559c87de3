package chdb

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ClickHouse/ch-go/compress"
)

func TestAcceptedEncodingTakesTheFirstWeSpeak(t *testing.T) {
	for accept, want := range map[string]string{
		"":                        "",
		"gzip, deflate, br, zstd": "gzip",
		"identity, br;q=0.8":      "br",
		"gzip;q=0, zstd":          "zstd",
		"gzip; q=0.5":             "gzip",
		"compress, lz4":           "",
		"DEFLATE":                 "deflate",
	} {
		if got := acceptedEncoding(accept); got != want {
			t.Errorf("%q: got %q want %q", accept, got, want)
		}
	}
}

func TestBlocksRoundTripAcrossBlockBoundaries(t *testing.T) {
	data := bytes.Repeat([]byte("moose-dev "), 300_000) // 3 MB: several blocks
	for _, m := range []compress.Method{compress.LZ4, compress.ZSTD} {
		blocks, err := compressBlocks(data, m)
		if err != nil {
			t.Fatal(err)
		}
		req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(blocks))
		got, err := readBody(req, map[string][]string{"decompress": {"1"}})
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("%v: %d bytes back, %v", m, len(got), err)
		}
		// a block cut short is an error, not a shorter body
		req = httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(blocks[:len(blocks)-10]))
		if _, err := readBody(req, map[string][]string{"decompress": {"1"}}); err == nil {
			t.Fatalf("%v: a truncated body was accepted", m)
		}
	}
}

func TestAnUnknownContentEncodingIsRefused(t *testing.T) {
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader("x"))
	req.Header.Set("Content-Encoding", "snappy")
	if _, err := readBody(req, nil); err == nil || !strings.Contains(err.Error(), "Unknown Content-Encoding of HTTP request: snappy") {
		t.Fatalf("got %v", err)
	}
}

// FuzzReadBody: whatever arrives, with whatever encoding, decoding returns
// a body or an error, never a panic.
func FuzzReadBody(f *testing.F) {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte("a,1\n"))
	zw.Close()
	lz, _ := compressBlocks([]byte("a,1\n"), compress.LZ4)
	f.Add(gz.Bytes(), "gzip", false)
	f.Add(lz, "", true)
	f.Add([]byte("plain"), "", false)
	f.Add([]byte{0x28, 0xb5, 0x2f, 0xfd}, "zstd", false)
	f.Fuzz(func(t *testing.T, body []byte, encoding string, blocks bool) {
		req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		req.Header.Set("Content-Encoding", encoding)
		params := map[string][]string{}
		if blocks {
			params["decompress"] = []string{"1"}
		}
		readBody(req, params)
	})
}
