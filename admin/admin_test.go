package admin

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/moose-dev/moose-dev/infra"
)

func serve(t *testing.T, keyHash string, m *infra.Map) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(Handler(keyHash, func() ([]byte, error) {
		if m == nil {
			return nil, errors.New("nothing yet")
		}
		return infra.MarshalSorted(m)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestInframapNeedsTheToken(t *testing.T) {
	token, hash, err := NewToken()
	if err != nil {
		t.Fatal(err)
	}
	if len(token) != 64 || hash == token || Hash(token) != hash {
		t.Fatalf("token %q hash %q", token, hash)
	}
	m := infra.NewMap("local")
	m.Tables["local_T"] = &infra.Table{Name: "T", Engine: infra.MergeTree}
	srv := serve(t, hash, m)
	for _, tc := range []struct {
		name, header string
		want         int
	}{
		{"missing", "", http.StatusUnauthorized},
		{"wrong", "Bearer " + strings.Repeat("0", 64), http.StatusUnauthorized},
		{"the hash itself", "Bearer " + hash, http.StatusUnauthorized},
		{"not bearer", "Basic " + token, http.StatusUnauthorized},
		{"right", "Bearer " + token, http.StatusOK},
		{"right, scheme in lower case", "bearer " + token, http.StatusOK},
	} {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+InframapPath, nil)
		if tc.header != "" {
			req.Header.Set("Authorization", tc.header)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("%s token: status %d, want %d", tc.name, resp.StatusCode, tc.want)
		}
	}
	got, err := Fetch(context.Background(), srv.URL, token)
	if err != nil || got.Tables["local_T"] == nil {
		t.Fatalf("Fetch: %v %v", got, err)
	}
	_, err = Fetch(context.Background(), srv.URL, "wrong-token")
	if err == nil || !strings.Contains(err.Error(), "refused the token") || strings.Contains(err.Error(), "wrong-token") {
		t.Fatalf("Fetch with a wrong token: %v (must refuse without echoing the token)", err)
	}
}

func TestNoKeyConfiguredAuthorizesNobody(t *testing.T) {
	srv := serve(t, "", infra.NewMap("local"))
	if _, err := Fetch(context.Background(), srv.URL, ""); err == nil {
		t.Fatal("an empty key let an empty token in")
	}
}

func TestNothingAppliedYetIsAnError(t *testing.T) {
	token, hash, _ := NewToken()
	srv := serve(t, hash, nil)
	if _, err := Fetch(context.Background(), srv.URL, token); err == nil || !strings.Contains(err.Error(), "503") {
		t.Fatalf("Fetch before anything was applied: %v", err)
	}
}
