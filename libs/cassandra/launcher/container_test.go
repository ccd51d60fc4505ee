package launcher

import (
	"crypto/x509"
	"encoding/pem"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A container node with a keystore runs the launcher's secure
// configuration; without one, the plain one.
func TestPrepareContainerSecureWithKeystore(t *testing.T) {
	render := func(keystore string) string {
		dir := t.TempDir()
		n := ContainerNode{Host: "10.0.0.2", Lib: dir, StateDir: filepath.Join(dir, "s"), ConfDir: filepath.Join(dir, "c"), Keystore: keystore}
		if _, err := PrepareContainer(n); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(dir, "c", "cassandra.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	if plain := render(""); !strings.Contains(plain, "AllowAllAuthenticator") || strings.Contains(plain, "client_encryption_options") {
		t.Errorf("plain node:\n%s", plain)
	}
	secure := render("/run/secrets/node.pem")
	for _, want := range []string{"authenticator: PasswordAuthenticator", "authorizer: CassandraAuthorizer",
		"  enabled: true\n  optional: false", "keystore: /run/secrets/node.pem"} {
		if !strings.Contains(secure, want) {
			t.Errorf("secure node lacks %q:\n%s", want, secure)
		}
	}
}

// WriteNodeCerts: one certificate valid for every node name given, made
// once (a second call keeps the CA that clients hold).
func TestWriteNodeCertsForNames(t *testing.T) {
	dir := t.TempDir()
	f := TLSFiles{CA: filepath.Join(dir, "x", "ca.pem"), Keystore: filepath.Join(dir, "x", "node.pem")}
	names := []string{"cassandra", "cassandra-2", "cassandra-3"}
	if err := WriteNodeCerts(f, nil, names); err != nil {
		t.Fatal(err)
	}
	caPEM, _ := os.ReadFile(f.CA)
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(caPEM) {
		t.Fatal("no CA certificate")
	}
	ks, _ := os.ReadFile(f.Keystore)
	var node *x509.Certificate
	for rest := ks; ; {
		var b *pem.Block
		if b, rest = pem.Decode(rest); b == nil {
			break
		}
		if b.Type == "CERTIFICATE" {
			node, _ = x509.ParseCertificate(b.Bytes)
		}
	}
	if node == nil {
		t.Fatal("no node certificate in the keystore")
	}
	for _, n := range names {
		if _, err := node.Verify(x509.VerifyOptions{Roots: roots, DNSName: n}); err != nil {
			t.Errorf("not valid for %s: %v", n, err)
		}
	}
	if _, err := node.Verify(x509.VerifyOptions{Roots: roots, DNSName: "beacon"}); err == nil {
		t.Error("valid for a name not given")
	}
	if err := WriteNodeCerts(f, []net.IP{net.IPv4(10, 0, 0, 1)}, names); err != nil {
		t.Fatal(err)
	}
	if again, _ := os.ReadFile(f.CA); string(again) != string(caPEM) {
		t.Error("the CA changed on the second call")
	}
}
