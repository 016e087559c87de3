package clickhouse

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// ParseURL reads a ClickHouse URL into a Config:
//   - `http://user:pass@host:port/db`, the HTTP interface (port 8123 when
//     absent), the form the embedded default serves;
//   - `https://...`, the HTTP interface over TLS (port 8443);
//   - `clickhouse://user:pass@host:port/db`, the native protocol (port
//     9000; with `?secure=true`, TLS on 9440).
func ParseURL(raw string) (Config, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return Config{}, fmt.Errorf("ClickHouse URL: %w", err)
	}
	cfg := Config{User: u.User.Username(), Database: strings.Trim(u.Path, "/")}
	port := "8123"
	switch u.Scheme {
	case "http":
	case "https":
		cfg.TLS, port = true, "8443"
	case "clickhouse":
		cfg.Native, port = true, "9000"
		if s := u.Query().Get("secure"); s == "true" || s == "1" {
			cfg.TLS, port = true, "9440"
		}
	default:
		return Config{}, fmt.Errorf("ClickHouse URL %s: want http://user:pass@host:port/database, https://... or clickhouse://...", redact(u))
	}
	if u.Hostname() == "" {
		return Config{}, fmt.Errorf("ClickHouse URL %s: no host", redact(u))
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return Config{}, fmt.Errorf("ClickHouse URL %s: port %s is not a port (1-65535)", redact(u), p)
		}
		port = p
	}
	cfg.Addr = net.JoinHostPort(u.Hostname(), port)
	cfg.Password, _ = u.User.Password()
	if cfg.User == "" {
		cfg.User = "default"
	}
	return cfg, nil
}

// redact hides a URL's password for messages.
func redact(u *url.URL) string {
	c := *u
	if _, has := c.User.Password(); has {
		c.User = url.UserPassword(c.User.Username(), "xxxxx")
	}
	return c.String()
}
