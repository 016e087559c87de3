package docker

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// engine is the few calls of the Docker Engine API that moose-dev makes
// itself, before testcontainers-go takes over: whether an image is there and,
// if not, pulling it once with a clear answer. (testcontainers-go retries a
// failing pull with backoff for up to 15 minutes; a user without network
// access should hear why in a second.)
type engine struct {
	client *http.Client
}

func newEngine(network, address string) *engine {
	return &engine{client: &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, address)
	}}}}
}

// hasImage reports whether ref is present in the engine's image store.
func (e *engine) hasImage(ctx context.Context, ref string) (bool, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://docker/images/"+ref+"/json", nil)
	if err != nil {
		return false, err
	}
	resp, err := e.client.Do(req)
	if err != nil {
		return false, err
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
		return true, nil
	case http.StatusNotFound:
		return false, nil
	}
	return false, fmt.Errorf("inspecting image %s: %s", ref, engineMessage(resp))
}

// ImagePullError says that an image is not present and cannot be pulled.
type ImagePullError struct {
	Image  string
	Reason string
	Env    string // the variable that chooses another image
}

func (e *ImagePullError) Error() string {
	return fmt.Sprintf("image %s cannot be pulled: %s\n  pull it where the network allows (docker pull %s), set %s to an image you have, or run without Docker: moose-dev dev --infra embedded",
		e.Image, e.Reason, e.Image, e.Env)
}

// pull fetches ref. The engine answers 200 and then streams progress; a
// failure can come either as a status or as an "error" line in the stream.
func (e *engine) pull(ctx context.Context, ref string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	name, tag := splitRef(ref)
	q := url.Values{"fromImage": {name}, "tag": {tag}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://docker/images/create?"+q.Encode(), nil)
	if err != nil {
		return err
	}
	resp, err := e.client.Do(req)
	if err != nil {
		return &ImagePullError{Image: ref, Reason: err.Error()}
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return &ImagePullError{Image: ref, Reason: engineMessage(resp)}
	}
	dec := json.NewDecoder(resp.Body)
	for {
		var msg struct {
			Error string `json:"error"`
		}
		if err := dec.Decode(&msg); err == io.EOF {
			return nil
		} else if err != nil {
			return &ImagePullError{Image: ref, Reason: err.Error()}
		}
		if msg.Error != "" {
			return &ImagePullError{Image: ref, Reason: msg.Error}
		}
	}
}

// splitRef splits an image reference into repository and tag ("latest"
// when absent); a registry port ("host:5000/img") is not a tag.
func splitRef(ref string) (name, tag string) {
	if i := strings.LastIndex(ref, ":"); i > strings.LastIndex(ref, "/") {
		return ref[:i], ref[i+1:]
	}
	return ref, "latest"
}

// engineMessage is the engine's {"message": ...} or the status.
func engineMessage(resp *http.Response) string {
	var body struct {
		Message string `json:"message"`
	}
	if json.NewDecoder(io.LimitReader(resp.Body, 1<<16)).Decode(&body) == nil && body.Message != "" {
		return body.Message
	}
	return resp.Status
}
