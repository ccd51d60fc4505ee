// Package apikey is find-peers' API key scheme: bearer tokens (RFC 6750)
// whose secrets are stored only as SHA-256 hashes in a JSON key file.
//
// A token reads fpk_<id>_<secret>: the id (16 hex digits) names the key in
// the file so a request costs one map lookup and one hash; the secret is 32
// random bytes from crypto/rand (256 bits), base64url without padding.
//
// Why SHA-256 and not bcrypt/argon2: a slow KDF protects low-entropy
// passwords from offline guessing. A 256-bit random secret cannot be
// guessed whatever the hash speed, so a fast hash loses nothing and keeps
// every authenticated request cheap (a slow KDF per request would also be a
// denial-of-service lever). The comparison is constant-time
// (crypto/subtle) so the answer time says nothing about the stored hash.
//
// Scopes: "read" allows the GET API, "write" allows writes AND reads
// (write implies read: a writer that cannot read back what it wrote is
// never what anyone wants, and one key per client stays the norm).
//
// The key file is rewritten atomically (temporary file + rename) by the
// CLI tools/apikey; Store re-reads it when it changes so keys are created
// and revoked without restarting the gateway.
package apikey
