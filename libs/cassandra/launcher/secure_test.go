package launcher

import (
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWriteCertsMakesAVerifiableNodeCertificate(t *testing.T) {
	dir := t.TempDir()
	f, err := writeCerts(dir)
	if err != nil {
		t.Fatal(err)
	}
	for path, mode := range map[string]os.FileMode{f.CA: 0o644, f.Keystore: 0o600, filepath.Dir(f.CA): 0o700 | os.ModeDir} {
		st, err := os.Stat(path)
		if err != nil || st.Mode() != mode {
			t.Errorf("%s: mode %v, want %v (%v)", path, st.Mode(), mode, err)
		}
	}
	caPEM, _ := os.ReadFile(f.CA)
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(caPEM) {
		t.Fatal("CA file has no certificate")
	}
	ks, _ := os.ReadFile(f.Keystore)
	var node *x509.Certificate
	var kinds []string
	for rest := ks; ; {
		var b *pem.Block
		if b, rest = pem.Decode(rest); b == nil {
			break
		}
		kinds = append(kinds, b.Type)
		if b.Type == "CERTIFICATE" {
			if node, err = x509.ParseCertificate(b.Bytes); err != nil {
				t.Fatal(err)
			}
		}
	}
	if strings.Join(kinds, ",") != "PRIVATE KEY,CERTIFICATE" {
		t.Fatalf("keystore holds %v, want the key then the certificate", kinds)
	}
	for _, name := range []string{"127.0.0.1", "127.0.0.3", "localhost"} {
		if _, err := node.Verify(x509.VerifyOptions{Roots: roots, DNSName: name}); err != nil {
			t.Errorf("node certificate not valid for %s: %v", name, err)
		}
	}
	if _, err := node.Verify(x509.VerifyOptions{Roots: roots, DNSName: "db.example"}); err == nil {
		t.Error("node certificate valid for any name")
	}
	// A second start keeps the certificates (clients hold the CA).
	if _, err := writeCerts(dir); err != nil {
		t.Fatal(err)
	}
	if again, _ := os.ReadFile(f.CA); string(again) != string(caPEM) {
		t.Error("the CA changed on the second call")
	}
}

func TestSecureYAML(t *testing.T) {
	dir := t.TempDir()
	render := func(secure bool) string {
		p := filepath.Join(dir, "cassandra.yaml")
		if err := writeYAML(p, yamlParams{ClusterName: "c", Host: "127.0.0.1", Seed: "127.0.0.1", CQLPort: 1,
			StoragePort: 2, ReplicaCount: 1, L: layoutFor(dir, 1), Secure: secure, TLS: tlsFilesFor(dir)}); err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(p)
		return string(b)
	}
	plain, secure := render(false), render(true)
	if !strings.Contains(plain, "authenticator: AllowAllAuthenticator") || strings.Contains(plain, "client_encryption_options") {
		t.Errorf("plain config:\n%s", plain)
	}
	for _, want := range []string{"authenticator: PasswordAuthenticator", "authorizer: CassandraAuthorizer",
		"role_manager: CassandraRoleManager", "  enabled: true\n  optional: false",
		"keystore: " + tlsFilesFor(dir).Keystore, "class_name: org.apache.cassandra.security.PEMBasedSslContextFactory"} {
		if !strings.Contains(secure, want) {
			t.Errorf("secure config lacks %q:\n%s", want, secure)
		}
	}
	if strings.Contains(secure, "AllowAll") {
		t.Errorf("secure config still allows all:\n%s", secure)
	}
}

func TestAccessFor(t *testing.T) {
	dir := t.TempDir()
	if a, _ := accessFor(dir, false); a != (Access{}) {
		t.Errorf("plain cluster: %+v", a)
	}
	if a, _ := accessFor(dir, true); a.Username != defaultSuperuser || a.CAFile != CAFile(dir) {
		t.Errorf("before the bootstrap: %+v", a)
	}
	os.MkdirAll(filepath.Dir(AdminPasswordFile(dir)), 0o700)
	os.WriteFile(AdminPasswordFile(dir), []byte("s3cret\n"), 0o600)
	if a, _ := accessFor(dir, true); a.Username != AdminRole || a.Password != "s3cret" {
		t.Errorf("after the bootstrap: %+v", a)
	}
}
