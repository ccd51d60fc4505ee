package cassandra

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"log/slog"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const testSecret = "pw-Zq8'x\"secret"

// writeTemp writes content to a file in the test's temp dir.
func writeTemp(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// testCA writes a self-signed CA certificate. (launcher.NewCA makes real
// ones, but the launcher imports this package: an internal test cannot
// import it back.)
func testCA(t *testing.T) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return writeTemp(t, "ca.pem", string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})))
}

func TestSecurityFromEnv(t *testing.T) {
	pwFile := writeTemp(t, "pw", testSecret+"\n")
	cfg, err := fromLookup(envOf(map[string]string{EnvHosts: "h", EnvUsername: "tracking",
		EnvPasswordFile: pwFile, EnvTLSCA: testCA(t), EnvTLSServer: "db.internal"}), "ks")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Username != "tracking" || string(cfg.Password) != testSecret {
		t.Errorf("credentials: %q, password trimmed to %d bytes", cfg.Username, len(cfg.Password))
	}
	ssl, err := cfg.sslOptions()
	if err != nil {
		t.Fatal(err)
	}
	if !ssl.EnableHostVerification || ssl.Config.InsecureSkipVerify || ssl.Config.RootCAs == nil ||
		ssl.Config.ServerName != "db.internal" || len(ssl.Config.Certificates) != 0 {
		t.Errorf("TLS must verify the host against the CA: %+v", ssl.Config)
	}
	if len(cfg.Warnings()) != 0 {
		t.Errorf("warnings for a verified TLS config: %v", cfg.Warnings())
	}
	if a := cfg.authenticator(); a == nil {
		t.Error("no authenticator with a username")
	}
}

func TestSecurityPlainByDefault(t *testing.T) {
	cfg, err := fromLookup(envOf(map[string]string{EnvHosts: "h"}), "ks")
	if err != nil {
		t.Fatal(err)
	}
	if ssl, err := cfg.sslOptions(); ssl != nil || err != nil || cfg.authenticator() != nil {
		t.Errorf("plain config got TLS %v (%v) or an authenticator", ssl, err)
	}
}

func TestSecurityInsecureSkipVerifyWarns(t *testing.T) {
	cfg, err := fromLookup(envOf(map[string]string{EnvHosts: "h", EnvTLSCA: testCA(t), EnvTLSInsecure: "true"}), "ks")
	if err != nil {
		t.Fatal(err)
	}
	ssl, _ := cfg.sslOptions()
	if ssl == nil || ssl.EnableHostVerification || len(cfg.Warnings()) != 1 {
		t.Errorf("opt-out not applied or not warned about: %+v, %v", ssl, cfg.Warnings())
	}
}

func TestSecurityErrorsNameTheSetting(t *testing.T) {
	pwFile := writeTemp(t, "pw", testSecret)
	noPEM := writeTemp(t, "ca.pem", "not a certificate")
	ca := testCA(t)
	for name, tc := range map[string]struct {
		env  map[string]string
		want []string
	}{
		"password twice":    {map[string]string{EnvUsername: "u", EnvPassword: testSecret, EnvPasswordFile: pwFile}, []string{EnvPassword, EnvPasswordFile}},
		"no password":       {map[string]string{EnvUsername: "u"}, []string{EnvUsername, EnvPassword}},
		"no username":       {map[string]string{EnvPassword: testSecret}, []string{EnvUsername}},
		"missing pw file":   {map[string]string{EnvUsername: "u", EnvPasswordFile: "/nonexistent/pw"}, []string{EnvPasswordFile, "/nonexistent/pw"}},
		"empty pw file":     {map[string]string{EnvUsername: "u", EnvPasswordFile: writeTemp(t, "empty", "\n")}, []string{EnvPasswordFile, "empty"}},
		"cert without key":  {map[string]string{EnvTLSCA: ca, EnvTLSCert: ca}, []string{EnvTLSCert, EnvTLSKey}},
		"TLS without CA":    {map[string]string{EnvTLSServer: "x"}, []string{EnvTLSCA}},
		"insecure bad bool": {map[string]string{EnvTLSCA: ca, EnvTLSInsecure: "maybe"}, []string{EnvTLSInsecure}},
		"missing CA":        {map[string]string{EnvTLSCA: "/nonexistent/ca.pem"}, []string{EnvTLSCA}},
		"CA not PEM":        {map[string]string{EnvTLSCA: noPEM}, []string{EnvTLSCA, "no PEM"}},
		"bad client cert":   {map[string]string{EnvTLSCA: ca, EnvTLSCert: ca, EnvTLSKey: noPEM}, []string{EnvTLSCert}},
	} {
		t.Run(name, func(t *testing.T) {
			tc.env[EnvHosts] = "h"
			_, err := fromLookup(envOf(tc.env), "ks")
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			if strings.Contains(err.Error(), testSecret) {
				t.Errorf("error shows the password: %q", err)
			}
		})
	}
}

// TestSecretNeverPrinted covers every way a Config reaches a log or a
// message: fmt verbs, slog (text and JSON) and JSON encoding.
func TestSecretNeverPrinted(t *testing.T) {
	cfg := Config{Hosts: []string{"h"}, Keyspace: "ks", Security: Security{Username: "u", Password: testSecret}}
	var out bytes.Buffer
	fmt.Fprintf(&out, "%v %+v %#v %s %v %#v\n", cfg, cfg, cfg, cfg, cfg.Password, cfg.Security)
	slog.New(slog.NewJSONHandler(&out, nil)).Info("x", "cfg", cfg, "sec", cfg.Security, "pw", cfg.Password)
	slog.New(slog.NewTextHandler(&out, nil)).Info("x", "cfg", cfg, "sec", cfg.Security)
	b, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	out.Write(b)
	if strings.Contains(out.String(), testSecret) || strings.Contains(out.String(), "Zq8") {
		t.Fatalf("the password leaked:\n%s", out.String())
	}
	if !strings.Contains(out.String(), "password_set=true") || !strings.Contains(out.String(), redacted) {
		t.Errorf("output does not say a password is set:\n%s", out.String())
	}
}
