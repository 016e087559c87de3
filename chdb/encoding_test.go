package chdb

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"net/http/httptest"
	"net/url"
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
// a body or an error, never a panic; and a body encoded the way the server
// encodes responses (the content coding Accept-Encoding names, ClickHouse
// blocks in LZ4 or ZSTD) decodes back to the same bytes.
func FuzzReadBody(f *testing.F) {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte("a,1\n"))
	zw.Close()
	lz, _ := compressBlocks([]byte("a,1\n"), compress.LZ4)
	f.Add(gz.Bytes(), "gzip", false, false)
	f.Add(lz, "", true, false)
	f.Add([]byte("plain"), "", false, false)
	f.Add([]byte{0x28, 0xb5, 0x2f, 0xfd}, "zstd", false, true)
	f.Add(bytes.Repeat([]byte("moose "), 1000), "br;q=0.5, deflate", true, true)
	f.Fuzz(func(t *testing.T, body []byte, encoding string, blocks, zstdBlocks bool) {
		params := url.Values{}
		if blocks {
			params.Set("decompress", "1")
		}
		req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		req.Header.Set("Content-Encoding", encoding)
		readBody(req, params)

		// the round trip: body as a response, read back as a request
		out := url.Values{"enable_http_compression": {"1"}}
		if blocks {
			out.Set("compress", "1")
			if zstdBlocks {
				out.Set("network_compression_method", "ZSTD")
			}
		}
		asked := httptest.NewRequest(http.MethodPost, "/", nil)
		asked.Header.Set("Accept-Encoding", encoding)
		rec := httptest.NewRecorder()
		if err := writeBody(rec, asked, out, body); err != nil {
			t.Fatalf("encoding %d bytes: %v", len(body), err)
		}
		back := httptest.NewRequest(http.MethodPost, "/", rec.Body)
		back.Header.Set("Content-Encoding", rec.Header().Get("Content-Encoding"))
		got, err := readBody(back, params)
		if err != nil || !bytes.Equal(got, body) {
			t.Fatalf("Accept-Encoding %q, blocks %v (zstd %v): %d bytes in, %d back, %v", encoding, blocks, zstdBlocks, len(body), len(got), err)
		}
	})
}
