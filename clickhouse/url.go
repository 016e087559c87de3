package clickhouse

import (
	"fmt"
	"net"
	"net/url"
	"strings"
)

// ParseURL reads `http://user:pass@host:port/db` (the HTTP interface, as
// the embedded default serves it) into a Config. `clickhouse://` URLs name
// the native protocol, which this client does not speak yet.
func ParseURL(raw string) (Config, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return Config{}, fmt.Errorf("ClickHouse URL: %w", err)
	}
	switch u.Scheme {
	case "http":
	case "https":
		return Config{}, fmt.Errorf("ClickHouse URL %s: https is not supported yet; use http", redact(u))
	case "clickhouse":
		return Config{}, fmt.Errorf("ClickHouse URL %s: the native protocol is not supported yet; use the HTTP interface (http://user:pass@host:8123/db)", redact(u))
	default:
		return Config{}, fmt.Errorf("ClickHouse URL %s: want http://user:pass@host:port/database", redact(u))
	}
	host := u.Host
	if _, _, err := net.SplitHostPort(host); err != nil {
		host = net.JoinHostPort(host, "8123")
	}
	cfg := Config{Addr: host, User: u.User.Username(), Database: strings.Trim(u.Path, "/")}
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
