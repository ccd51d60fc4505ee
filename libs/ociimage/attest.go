package ociimage

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"reflect"
)

// Attest signs the SPDX SBOM file sbom as an in-toto attestation of ref
// (repo@sha256:...), with the private key file key and no transparency log.
// Unlike the SBOM referrer, which anyone able to push can add, it proves the
// key holder published this SBOM for this digest.
func (c Cosign) Attest(ctx context.Context, ref, key, sbom string) error {
	args := append([]string{"attest", "--key", key, "--type", "spdxjson", "--predicate", sbom, "--tlog-upload=false", "--yes"}, registryFlags(ref)...)
	_, err := c.run(ctx, append(args, ref)...)
	return err
}

// VerifySBOMAttestation checks that ref carries an SPDX attestation that pub
// verifies and whose SBOM is, as JSON, sbom.
func (c Cosign) VerifySBOMAttestation(ctx context.Context, ref, pub string, sbom []byte) error {
	args := append([]string{"verify-attestation", "--key", pub, "--type", "spdxjson", "--insecure-ignore-tlog=true", "--offline=true"}, registryFlags(ref)...)
	out, err := c.run(ctx, append(args, ref)...)
	if err != nil {
		return fmt.Errorf("%s: SBOM attestation does not verify: %w", ref, err)
	}
	var want any
	if err := json.Unmarshal(sbom, &want); err != nil {
		return fmt.Errorf("built SBOM: %w", err)
	}
	preds, err := attestedPredicates(out)
	if err != nil {
		return fmt.Errorf("%s: %w", ref, err)
	}
	for _, p := range preds {
		if reflect.DeepEqual(p, want) {
			return nil
		}
	}
	return fmt.Errorf("%s: none of its %d verified SBOM attestation(s) is the built SBOM", ref, len(preds))
}

// attestedPredicates decodes cosign verify-attestation's output: one DSSE
// envelope per line, whose payload is an in-toto statement.
func attestedPredicates(out []byte) ([]any, error) {
	var preds []any
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 64<<20)
	for sc.Scan() {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		var env struct {
			Payload string `json:"payload"`
		}
		if err := json.Unmarshal(sc.Bytes(), &env); err != nil {
			return nil, fmt.Errorf("attestation envelope: %w", err)
		}
		raw, err := base64.StdEncoding.DecodeString(env.Payload)
		if err != nil {
			return nil, fmt.Errorf("attestation payload: %w", err)
		}
		var st struct {
			Predicate any `json:"predicate"`
		}
		if err := json.Unmarshal(raw, &st); err != nil {
			return nil, fmt.Errorf("in-toto statement: %w", err)
		}
		preds = append(preds, st.Predicate)
	}
	return preds, sc.Err()
}
