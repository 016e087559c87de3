package broker

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/moose-dev/moose-dev/differ"
	"github.com/twmb/franz-go/pkg/kfake"
)

// secureBroker runs a kfake cluster that requires SASL (a user for each
// mechanism), over TLS when withTLS; it returns its address and the CA
// that signed its certificate.
func secureBroker(t *testing.T, withTLS bool) (string, *x509.CertPool) {
	t.Helper()
	opts := []kfake.Opt{kfake.NumBrokers(1), kfake.EnableSASL(),
		kfake.Superuser("PLAIN", "plainuser", "plainpass"),
		kfake.Superuser("SCRAM-SHA-256", "user256", "pass256"),
		kfake.Superuser("SCRAM-SHA-512", "user512", "pass512"),
		kfake.ListenFn(func(network, _ string) (net.Listener, error) { return net.Listen(network, "127.0.0.1:0") })}
	var roots *x509.CertPool
	if withTLS {
		// httptest's certificate is valid for 127.0.0.1
		srv := httptest.NewUnstartedServer(nil)
		srv.StartTLS()
		cfg := srv.TLS.Clone()
		roots = x509.NewCertPool()
		roots.AddCert(srv.Certificate())
		srv.Close()
		cfg.NextProtos = nil
		opts = append(opts, kfake.TLS(cfg))
	}
	c, err := kfake.NewCluster(opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c.ListenAddrs()[0], roots
}

// Each SASL mechanism, over plaintext and TLS, against a broker that
// requires it: topics are created and listed; a wrong password or no SASL
// at all is refused by the broker, so the settings are really used.
func TestSecuritySettingsReachTheBroker(t *testing.T) {
	ctx := context.Background()
	for _, withTLS := range []bool{false, true} {
		addr, roots := secureBroker(t, withTLS)
		protocol := "SASL_PLAINTEXT"
		if withTLS {
			protocol = "sasl_ssl" // librdkafka takes either case
		}
		for _, m := range []struct{ mechanism, user, pass string }{
			{"PLAIN", "plainuser", "plainpass"}, {"SCRAM-SHA-256", "user256", "pass256"}, {"scram-sha-512", "user512", "pass512"},
		} {
			admin := func(pass string) *Admin {
				sec, err := ParseSecurity(protocol, m.mechanism, m.user, pass)
				if err != nil {
					t.Fatal(err)
				}
				if (sec.TLS != nil) != withTLS {
					t.Fatalf("%s: TLS = %v", protocol, sec.TLS != nil)
				}
				if sec.TLS != nil {
					sec.TLS.RootCAs = roots
				}
				return &Admin{Addr: addr, Security: sec}
			}
			name := protocol + " " + m.mechanism
			topicName := strings.ReplaceAll(strings.ToLower(name), " ", "_")
			a := admin(m.pass)
			if err := a.Apply(ctx, []differ.Change{differ.AddTopic{Topic: topic(topicName, 1, 60)}}); err != nil {
				t.Fatalf("%s: create: %v", name, err)
			}
			got, err := a.Topics(ctx)
			if err != nil || got[topicName].Partitions != 1 {
				t.Fatalf("%s: topics %v, %v", name, got, err)
			}
			if _, err := admin("wrong").Topics(ctx); err == nil {
				t.Fatalf("%s: a wrong password was accepted: the credentials are not what is sent", name)
			}
		}
		plain := &Admin{Addr: addr}
		if withTLS { // TLS, but no SASL
			plain.Security.TLS = &tls.Config{RootCAs: roots}
		}
		if _, err := plain.Topics(ctx); err == nil {
			t.Fatalf("TLS %v: a client without SASL was accepted: the broker does not check", withTLS)
		}
	}
}

func TestSecuritySettingsThatCannotBeHonouredAreRefused(t *testing.T) {
	for _, c := range []struct {
		protocol, mechanism, user, pass string
		key, msg                        string
	}{
		{"TLS", "", "", "", "security_protocol", `security_protocol = "TLS": want PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL`},
		{"", "PLAIN", "u", "p", "sasl_username", "sasl_username is set but security_protocol is PLAINTEXT (the default): SASL applies only with SASL_PLAINTEXT or SASL_SSL"},
		{"SSL", "", "", "p", "sasl_password", "sasl_password is set but security_protocol is SSL: SASL applies only with SASL_PLAINTEXT or SASL_SSL"},
		{"SASL_SSL", "", "u", "p", "sasl_mechanism", `security_protocol = "SASL_SSL" needs sasl_mechanism: PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512`},
		{"SASL_SSL", "GSSAPI", "u", "p", "sasl_mechanism", `sasl_mechanism = "GSSAPI": want PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512`},
		{"SASL_PLAINTEXT", "PLAIN", "", "", "sasl_username", `security_protocol = "SASL_PLAINTEXT" needs sasl_username and sasl_password`},
	} {
		_, err := ParseSecurity(c.protocol, c.mechanism, c.user, c.pass)
		se, ok := err.(*SecurityError)
		if !ok || se.Key != c.key || se.Msg != c.msg {
			t.Errorf("%+v: got %#v", c, err)
		}
	}
	for _, p := range []string{"", "PLAINTEXT", "plaintext"} {
		if s, err := ParseSecurity(p, "", "", ""); err != nil || s.Enabled() {
			t.Errorf("%q: %+v %v", p, s, err)
		}
	}
	if s, err := ParseSecurity("SSL", "", "", ""); err != nil || s.TLS == nil || s.SASL != nil {
		t.Errorf("SSL: %+v %v", s, err)
	}
}
