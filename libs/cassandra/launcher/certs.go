package launcher

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// CA is a certificate authority made for one throw-away cluster.
type CA struct {
	Cert *x509.Certificate
	Key  *ecdsa.PrivateKey
	PEM  []byte // the certificate, for clients' trust stores
}

// NewCA makes a self-signed ECDSA P-256 CA valid for a year.
func NewCA(name string) (CA, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return CA{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial(), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().AddDate(1, 0, 0),
		IsCA: true, BasicConstraintsValid: true, MaxPathLenZero: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return CA{}, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return CA{}, err
	}
	return CA{Cert: cert, Key: key, PEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})}, nil
}

// Issue signs a server-and-client certificate for the given IP addresses
// and DNS names and returns its key (PKCS#8) and certificate as one PEM
// bundle, the form Cassandra's PEMBasedSslContextFactory reads as a keystore.
func (ca CA) Issue(cn string, ips []net.IP, dnsNames []string) ([]byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial(), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().AddDate(1, 0, 0),
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		IPAddresses: ips, DNSNames: dnsNames,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, &key.PublicKey, ca.Key)
	if err != nil {
		return nil, err
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	out := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8})
	return append(out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})...), nil
}

func serial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		panic(err) // crypto/rand does not fail on Linux
	}
	return n
}

// TLSFiles are where a secure cluster keeps its certificates (DIR/tls).
type TLSFiles struct {
	CA       string // the CA certificate: CASSANDRA_TLS_CA for clients
	Keystore string // the nodes' key and certificate (0600)
}

func tlsFilesFor(dir string) TLSFiles {
	d := filepath.Join(dir, "tls")
	return TLSFiles{CA: filepath.Join(d, "ca.pem"), Keystore: filepath.Join(d, "node.pem")}
}

// writeCerts makes the cluster's CA and the one certificate all its nodes
// share (127.0.0.1-3 and localhost), unless they exist from an earlier
// start.
func writeCerts(dir string) (TLSFiles, error) {
	f := tlsFilesFor(dir)
	ips := []net.IP{net.IPv4(127, 0, 0, 1), net.IPv4(127, 0, 0, 2), net.IPv4(127, 0, 0, 3)}
	return f, WriteNodeCerts(f, ips, []string{"localhost"})
}

// WriteNodeCerts writes a new CA to f.CA and one certificate for the given
// addresses and names, which every node of the cluster shares, to
// f.Keystore (0600, key and certificate: Cassandra's PEM keystore), unless
// f.Keystore exists already. The CA's key is not kept: nothing else is
// ever signed with it.
func WriteNodeCerts(f TLSFiles, ips []net.IP, dnsNames []string) error {
	if _, err := os.Stat(f.Keystore); err == nil {
		return nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return err
	}
	for _, d := range []string{filepath.Dir(f.CA), filepath.Dir(f.Keystore)} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return err
		}
	}
	ca, err := NewCA("find-peers dev Cassandra CA")
	if err != nil {
		return err
	}
	node, err := ca.Issue("cassandra node", ips, dnsNames)
	if err != nil {
		return err
	}
	if err := os.WriteFile(f.CA, ca.PEM, 0o644); err != nil {
		return fmt.Errorf("write CA: %w", err)
	}
	if err := writeSecretFile(f.Keystore, node); err != nil {
		return fmt.Errorf("write node keystore: %w", err)
	}
	return nil
}

// writeSecretFile writes data readable by the owner only, atomically.
func writeSecretFile(path string, data []byte) error {
	tmp := path + ".tmp"
	os.Remove(tmp) // WriteFile keeps the mode of a file that exists
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
