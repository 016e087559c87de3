// Package admin is the admin API a running moose-dev serves for remote
// planning: `GET /admin/inframap` returns the infrastructure map it last
// applied, to a caller presenting `Authorization: Bearer <token>` whose
// hash is configured (`[authentication] admin_api_key`). Tokens are 256
// random bits, so a SHA-256 hash is enough to store them: nobody can guess
// a preimage. Comparison is constant-time and no token is ever logged.
package admin

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/moose-dev/moose-dev/infra"
)

// InframapPath is where the map is served.
const InframapPath = "/admin/inframap"

// NewToken returns a fresh token and the hash to configure for it.
func NewToken() (token, hash string, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", "", err
	}
	token = hex.EncodeToString(b)
	return token, Hash(token), nil
}

// Hash is the configured form of a token: hex SHA-256.
func Hash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// Authorized reports whether r carries a bearer token whose hash is
// keyHash. An empty keyHash authorizes nobody.
func Authorized(r *http.Request, keyHash string) bool {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || keyHash == "" {
		return false
	}
	got := Hash(strings.TrimSpace(token))
	return subtle.ConstantTimeCompare([]byte(got), []byte(strings.ToLower(strings.TrimSpace(keyHash)))) == 1
}

// Handler serves the admin API; inframap returns the map's JSON.
func Handler(keyHash string, inframap func() ([]byte, error)) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+InframapPath, func(w http.ResponseWriter, r *http.Request) {
		if !Authorized(r, keyHash) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="moose-dev admin"`)
			http.Error(w, "unauthorized: present the admin token as `Authorization: Bearer <token>`", http.StatusUnauthorized)
			return
		}
		data, err := inframap()
		if err != nil {
			http.Error(w, "no infrastructure applied yet: "+err.Error(), http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(data)
	})
	return mux
}

// Fetch asks a running moose-dev at baseURL for its map.
func Fetch(ctx context.Context, baseURL, token string) (*infra.Map, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(baseURL, "/")+InframapPath, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<30))
	if err != nil {
		return nil, err
	}
	switch {
	case resp.StatusCode == http.StatusUnauthorized:
		return nil, fmt.Errorf("%s refused the token (401): check --token against [authentication] admin_api_key there", baseURL)
	case resp.StatusCode != http.StatusOK:
		return nil, fmt.Errorf("%s%s: %s: %s", baseURL, InframapPath, resp.Status, strings.TrimSpace(string(body)))
	}
	return infra.UnmarshalMap(body)
}
