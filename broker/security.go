package broker

import (
	"crypto/tls"
	"fmt"
	"strings"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/segmentio/kafka-go/sasl"
	"github.com/segmentio/kafka-go/sasl/plain"
	"github.com/segmentio/kafka-go/sasl/scram"
)

// Security is how moose-dev connects to a broker: `[redpanda_config]
// security_protocol` and `sasl_*`, which upstream hands to librdkafka
// (security.protocol, sasl.mechanism, sasl.username, sasl.password) and
// moose-dev to kafka-go with librdkafka's meaning.
type Security struct {
	TLS  *tls.Config    // SSL and SASL_SSL; verified against the system's roots
	SASL sasl.Mechanism // SASL_PLAINTEXT and SASL_SSL
}

// Enabled reports whether anything but plaintext was asked for.
func (s Security) Enabled() bool { return s.TLS != nil || s.SASL != nil }

// SecurityError is a `[redpanda_config]` setting that cannot be honoured;
// Key names it (e.g. "sasl_mechanism").
type SecurityError struct {
	Key, Msg string
}

func (e *SecurityError) Error() string { return e.Msg }

// ParseSecurity reads the four settings. As librdkafka, credentials are
// used only with a SASL protocol: given with another, they would be
// ignored, so they are refused. Mechanisms are PLAIN, SCRAM-SHA-256 and
// SCRAM-SHA-512 (librdkafka's default, GSSAPI, and OAUTHBEARER are not
// supported, and an absent mechanism is refused rather than guessed).
func ParseSecurity(protocol, mechanism, username, password string) (Security, error) {
	var s Security
	useSASL := false
	switch strings.ToUpper(protocol) {
	case "", "PLAINTEXT":
	case "SSL":
		s.TLS = &tls.Config{MinVersion: tls.VersionTLS12}
	case "SASL_PLAINTEXT":
		useSASL = true
	case "SASL_SSL":
		useSASL = true
		s.TLS = &tls.Config{MinVersion: tls.VersionTLS12}
	default:
		return Security{}, &SecurityError{"security_protocol", fmt.Sprintf("security_protocol = %q: want PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL", protocol)}
	}
	if !useSASL {
		for _, k := range []struct{ key, value string }{{"sasl_username", username}, {"sasl_password", password}, {"sasl_mechanism", mechanism}} {
			if k.value != "" {
				return Security{}, &SecurityError{k.key, fmt.Sprintf("%s is set but security_protocol is %s: SASL applies only with SASL_PLAINTEXT or SASL_SSL", k.key, orDefault(protocol, "PLAINTEXT (the default)"))}
			}
		}
		return s, nil
	}
	if username == "" {
		return Security{}, &SecurityError{"sasl_username", fmt.Sprintf("security_protocol = %q needs sasl_username and sasl_password", protocol)}
	}
	var err error
	switch strings.ToUpper(mechanism) {
	case "PLAIN":
		s.SASL = plain.Mechanism{Username: username, Password: password}
	case "SCRAM-SHA-256":
		s.SASL, err = scram.Mechanism(scram.SHA256, username, password)
	case "SCRAM-SHA-512":
		s.SASL, err = scram.Mechanism(scram.SHA512, username, password)
	case "":
		return Security{}, &SecurityError{"sasl_mechanism", fmt.Sprintf("security_protocol = %q needs sasl_mechanism: PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512", protocol)}
	default:
		return Security{}, &SecurityError{"sasl_mechanism", fmt.Sprintf("sasl_mechanism = %q: want PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512", mechanism)}
	}
	if err != nil {
		return Security{}, &SecurityError{"sasl_password", err.Error()}
	}
	return s, nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// transport is a kafka-go transport with the admin's security for one
// call (see client), whose idle connections go after a second: kafka-go's
// CloseIdleConnections leaves each connection's idle timer running, and
// until it fires the timer keeps the transport's copy of the metadata (a
// map per topic: 1.2 MiB at 2,000 topics, held 30 s by default, so that a
// save a second grew the daemon by 100 MiB).
func (a *Admin) transport(dial time.Duration) *kafka.Transport {
	return &kafka.Transport{DialTimeout: dial, IdleTimeout: time.Second, TLS: a.Security.TLS, SASL: a.Security.SASL}
}

// Writer is a producer on the broker for the data plane: each write
// returns once every in-sync replica has the messages (acks=all), batches
// leave at once (50 µs, not kafka-go's default second: a request waits
// for its own write), and messages name their topic.
func (a *Admin) Writer() *kafka.Writer {
	tr := a.transport(5 * time.Second)
	tr.IdleTimeout = 0 // kafka-go's default: this one is kept
	return &kafka.Writer{Addr: kafka.TCP(a.Addr), Transport: tr,
		RequiredAcks: kafka.RequireAll, BatchTimeout: 50 * time.Microsecond, BatchSize: 10000, BatchBytes: 64 << 20,
		Balancer: &kafka.RoundRobin{}}
}

// Reader consumes topic (its Kafka name) as a member of group, from the
// group's committed offsets (the topic's start for a new group), and
// commits only when asked.
func (a *Admin) Reader(topic, group string) *kafka.Reader {
	return kafka.NewReader(kafka.ReaderConfig{Brokers: []string{a.Addr}, GroupID: group, Topic: topic,
		Dialer:      &kafka.Dialer{Timeout: 5 * time.Second, DualStack: true, TLS: a.Security.TLS, SASLMechanism: a.Security.SASL},
		StartOffset: kafka.FirstOffset, MinBytes: 1, MaxBytes: 16 << 20, MaxWait: 100 * time.Millisecond,
		HeartbeatInterval: time.Second, SessionTimeout: 10 * time.Second, RebalanceTimeout: 5 * time.Second,
		JoinGroupBackoff: 200 * time.Millisecond, ReadBackoffMin: 50 * time.Millisecond, ReadBackoffMax: 500 * time.Millisecond})
}
