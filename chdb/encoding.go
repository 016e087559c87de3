package chdb

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/ClickHouse/ch-go/compress"
	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/zstd"
)

// The HTTP interface's two kinds of compression, as ClickHouse serves
// them:
//
//   - HTTP content coding: a request body with Content-Encoding gzip,
//     deflate (zlib), br or zstd is decoded; a response is encoded when the
//     request says enable_http_compression=1 and accepts one of those
//     (curl --compressed, clickhouse-go's GZIP/Deflate/Brotli methods).
//   - ClickHouse's own block compression: decompress=1 means the request
//     body is in compressed blocks, compress=1 asks for the response in them
//     (LZ4 unless network_compression_method says ZSTD); clickhouse-go's LZ4
//     and ZSTD methods over HTTP use it.

// maxBody bounds a request body after decoding.
const maxBody = 1 << 30

// readBody returns the request body, decoded.
func readBody(r *http.Request, params url.Values) ([]byte, error) {
	var in io.Reader = r.Body
	switch enc := strings.ToLower(strings.TrimSpace(r.Header.Get("Content-Encoding"))); enc {
	case "", "identity":
	case "gzip", "x-gzip":
		zr, err := gzip.NewReader(r.Body)
		if err != nil {
			return nil, codingError(enc, err)
		}
		in = zr
	case "deflate":
		zr, err := zlib.NewReader(r.Body)
		if err != nil {
			return nil, codingError(enc, err)
		}
		in = zr
	case "br":
		in = brotli.NewReader(r.Body)
	case "zstd":
		zr, err := zstd.NewReader(r.Body)
		if err != nil {
			return nil, codingError(enc, err)
		}
		defer zr.Close()
		in = zr
	default:
		return nil, &QueryError{Code: 1000, Msg: fmt.Sprintf("Code: 1000. DB::Exception: Unknown Content-Encoding of HTTP request: %s (UNKNOWN_EXCEPTION)", enc)}
	}
	if params.Get("decompress") == "1" {
		in = blockReader{compress.NewReader(in)}
	}
	body, err := io.ReadAll(io.LimitReader(in, maxBody))
	if err != nil {
		return nil, codingError("request body", err)
	}
	return body, nil
}

// blockReader ends cleanly at a block boundary: ch-go's reader reports the
// end of the last block as a wrapped EOF, which io.ReadAll would take for a
// failure. A block cut short is still an error (io.ErrUnexpectedEOF).
type blockReader struct{ r io.Reader }

func (b blockReader) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err != nil && err != io.EOF && errors.Is(err, io.EOF) {
		err = io.EOF
	}
	return n, err
}

func codingError(what string, err error) error {
	return &QueryError{Code: 271, Msg: fmt.Sprintf("Code: 271. DB::Exception: Cannot decompress %s: %v. (CANNOT_DECOMPRESS)", what, err)}
}

// writeBody writes a successful response, encoded as the request asked.
func writeBody(w http.ResponseWriter, r *http.Request, params url.Values, out []byte) error {
	if params.Get("compress") == "1" {
		method := compress.LZ4
		if strings.EqualFold(params.Get("network_compression_method"), "ZSTD") {
			method = compress.ZSTD
		}
		var err error
		if out, err = compressBlocks(out, method); err != nil {
			return err
		}
	}
	enc := ""
	if params.Get("enable_http_compression") == "1" {
		enc = acceptedEncoding(r.Header.Get("Accept-Encoding"))
	}
	if enc == "" {
		_, err := w.Write(out)
		return err
	}
	w.Header().Set("Content-Encoding", enc)
	var zw io.WriteCloser
	switch enc {
	case "gzip":
		zw = gzip.NewWriter(w)
	case "deflate":
		zw = zlib.NewWriter(w)
	case "br":
		zw = brotli.NewWriter(w)
	case "zstd":
		var err error
		if zw, err = zstd.NewWriter(w); err != nil {
			return err
		}
	}
	if _, err := zw.Write(out); err != nil {
		return err
	}
	return zw.Close()
}

// acceptedEncoding is the first coding of Accept-Encoding that we speak.
func acceptedEncoding(accept string) string {
	for _, part := range strings.Split(accept, ",") {
		name, attrs, _ := strings.Cut(part, ";")
		if q, ok := strings.CutPrefix(strings.TrimSpace(attrs), "q="); ok {
			if f, err := strconv.ParseFloat(q, 64); err == nil && f == 0 {
				continue // refused
			}
		}
		switch name = strings.ToLower(strings.TrimSpace(name)); name {
		case "gzip", "deflate", "br", "zstd":
			return name
		}
	}
	return ""
}

// blockSize is ClickHouse's max_compress_block_size.
const blockSize = 1 << 20

// compressBlocks splits data into ClickHouse compressed blocks.
func compressBlocks(data []byte, method compress.Method) ([]byte, error) {
	zw := compress.NewWriter(0, method)
	var out bytes.Buffer
	for len(data) > 0 {
		n := min(len(data), blockSize)
		if err := zw.Compress(data[:n]); err != nil {
			return nil, err
		}
		out.Write(zw.Data)
		data = data[n:]
	}
	return out.Bytes(), nil
}
