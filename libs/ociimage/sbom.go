package ociimage

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"debug/buildinfo"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"golang.org/x/mod/modfile"
)

// Module is one Go module compiled into a binary.
type Module struct {
	Path    string
	Version string
	Sum     string // "h1:..." from go.sum (or the binary's build info); empty if unknown
	Main    bool
}

// ModulesFromBuildInfo returns the main module and deps recorded in a
// binary's build info (what `go build` embeds). ok is false when the binary
// records no modules (as with rules_go's linker, which embeds only the Go
// version): use ModulesFromPackages then.
func ModulesFromBuildInfo(bi *buildinfo.BuildInfo) (mods []Module, ok bool) {
	if bi == nil || bi.Main.Path == "" {
		return nil, false
	}
	mods = append(mods, Module{Path: bi.Main.Path, Version: bi.Main.Version, Sum: bi.Main.Sum, Main: true})
	for _, d := range bi.Deps {
		if d.Replace != nil {
			d = d.Replace
		}
		mods = append(mods, Module{Path: d.Path, Version: d.Version, Sum: d.Sum})
	}
	sortModules(mods)
	return mods, true
}

// ModulesFromPackages maps the import paths linked into a binary (from
// Bazel's GoArchive provider) to the modules of go.mod that provide them,
// with h1 sums from go.sum. Import paths of the main module map to it;
// standard-library paths (no dot in the first element) are skipped; a path
// no module provides is an error (go.mod and the build disagree).
func ModulesFromPackages(pkgs []string, gomod, gosum []byte, mainVersion string) ([]Module, error) {
	mf, err := modfile.ParseLax("go.mod", gomod, nil)
	if err != nil {
		return nil, fmt.Errorf("go.mod: %w", err)
	}
	if mf.Module == nil {
		return nil, fmt.Errorf("go.mod: no module line")
	}
	mainPath := mf.Module.Mod.Path
	versions := map[string]string{}
	for _, r := range mf.Require {
		versions[r.Mod.Path] = r.Mod.Version
	}
	for _, r := range mf.Replace {
		if r.New.Version != "" && (r.Old.Version == "" || versions[r.Old.Path] == r.Old.Version) {
			versions[r.Old.Path] = r.New.Version
		}
	}
	sums := parseGoSum(gosum)
	used := map[string]bool{}
	for _, p := range pkgs {
		p = strings.TrimSpace(p)
		if p == "" || !strings.Contains(strings.SplitN(p, "/", 2)[0], ".") {
			continue
		}
		if p == mainPath || strings.HasPrefix(p, mainPath+"/") {
			used[mainPath] = true
			continue
		}
		best := ""
		for m := range versions {
			if (p == m || strings.HasPrefix(p, m+"/")) && len(m) > len(best) {
				best = m
			}
		}
		if best == "" {
			return nil, fmt.Errorf("package %s: no module in go.mod provides it", p)
		}
		used[best] = true
	}
	mods := []Module{{Path: mainPath, Version: mainVersion, Main: true}}
	for m := range used {
		if m == mainPath {
			continue
		}
		v := versions[m]
		mods = append(mods, Module{Path: m, Version: v, Sum: sums[m+" "+v]})
	}
	sortModules(mods)
	return mods, nil
}

func parseGoSum(data []byte) map[string]string {
	sums := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 3 && !strings.HasSuffix(f[1], "/go.mod") {
			sums[f[0]+" "+f[1]] = f[2]
		}
	}
	return sums
}

func sortModules(mods []Module) {
	sort.SliceStable(mods, func(i, j int) bool {
		if mods[i].Main != mods[j].Main {
			return mods[i].Main
		}
		return mods[i].Path < mods[j].Path
	})
}

// SPDX 2.3 JSON, only the fields we fill.
type spdxDoc struct {
	SPDXVersion       string             `json:"spdxVersion"`
	DataLicense       string             `json:"dataLicense"`
	SPDXID            string             `json:"SPDXID"`
	Name              string             `json:"name"`
	DocumentNamespace string             `json:"documentNamespace"`
	CreationInfo      spdxCreationInfo   `json:"creationInfo"`
	DocumentDescribes []string           `json:"documentDescribes"`
	Packages          []spdxPackage      `json:"packages"`
	Relationships     []spdxRelationship `json:"relationships"`
}

type spdxCreationInfo struct {
	Created  string   `json:"created"`
	Creators []string `json:"creators"`
}

type spdxPackage struct {
	Name             string         `json:"name"`
	SPDXID           string         `json:"SPDXID"`
	VersionInfo      string         `json:"versionInfo,omitempty"`
	Supplier         string         `json:"supplier"`
	DownloadLocation string         `json:"downloadLocation"`
	FilesAnalyzed    bool           `json:"filesAnalyzed"`
	Checksums        []spdxChecksum `json:"checksums,omitempty"`
	LicenseConcluded string         `json:"licenseConcluded"`
	LicenseDeclared  string         `json:"licenseDeclared"`
	CopyrightText    string         `json:"copyrightText"`
	PrimaryPurpose   string         `json:"primaryPackagePurpose,omitempty"`
	Comment          string         `json:"comment,omitempty"`
	ExternalRefs     []spdxExtRef   `json:"externalRefs,omitempty"`
}

type spdxChecksum struct {
	Algorithm string `json:"algorithm"`
	Value     string `json:"checksumValue"`
}

type spdxExtRef struct {
	Category string `json:"referenceCategory"`
	Type     string `json:"referenceType"`
	Locator  string `json:"referenceLocator"`
}

type spdxRelationship struct {
	Element string `json:"spdxElementId"`
	Type    string `json:"relationshipType"`
	Related string `json:"relatedSpdxElement"`
}

var spdxIDUnsafe = regexp.MustCompile(`[^A-Za-z0-9.-]+`)

func spdxID(kind, s string) string {
	return "SPDXRef-" + kind + "-" + strings.Trim(spdxIDUnsafe.ReplaceAllString(s, "-"), "-")
}

// GoPURL is the package URL of a Go module.
func GoPURL(path, version string) string {
	if version == "" {
		return "pkg:golang/" + path
	}
	return "pkg:golang/" + path + "@" + version
}

// SBOMInput is what an SBOM describes.
type SBOMInput struct {
	ImageName   string // find-peers/beacon
	IndexDigest string // sha256:... of the image index
	GoVersion   string // go1.26.8
	Modules     []Module
	Created     time.Time // zero means Epoch
}

// SPDX returns an SPDX 2.3 JSON document: the image (by index digest) as
// the described package, containing the Go modules compiled into its
// binary and the Go standard library. Module h1 sums are given both as the
// SHA256 checksum (the h1 hash, hex) and in the comment; the document
// namespace derives from the content, so the output is reproducible.
func SPDX(in SBOMInput) ([]byte, error) {
	when := in.Created
	if when.IsZero() {
		when = Epoch
	}
	imgID := spdxID("Image", in.ImageName)
	img := spdxPackage{
		Name: in.ImageName, SPDXID: imgID, VersionInfo: in.IndexDigest,
		Supplier: "NOASSERTION", DownloadLocation: "NOASSERTION",
		LicenseConcluded: "NOASSERTION", LicenseDeclared: "NOASSERTION", CopyrightText: "NOASSERTION",
		PrimaryPurpose: "CONTAINER",
	}
	if strings.HasPrefix(in.IndexDigest, "sha256:") {
		img.Checksums = []spdxChecksum{{Algorithm: "SHA256", Value: strings.TrimPrefix(in.IndexDigest, "sha256:")}}
	}
	doc := spdxDoc{
		SPDXVersion: "SPDX-2.3", DataLicense: "CC0-1.0", SPDXID: "SPDXRef-DOCUMENT",
		Name:              "sbom-" + in.ImageName,
		CreationInfo:      spdxCreationInfo{Created: when.UTC().Format(time.RFC3339), Creators: []string{"Tool: find-peers-imagebuilder", "Organization: find-peers"}},
		DocumentDescribes: []string{imgID},
		Packages:          []spdxPackage{img},
	}
	if in.GoVersion != "" {
		id := spdxID("Package", "stdlib")
		doc.Packages = append(doc.Packages, spdxPackage{
			Name: "stdlib", SPDXID: id, VersionInfo: in.GoVersion,
			Supplier: "NOASSERTION", DownloadLocation: "NOASSERTION",
			LicenseConcluded: "NOASSERTION", LicenseDeclared: "NOASSERTION", CopyrightText: "NOASSERTION",
			PrimaryPurpose: "LIBRARY",
			ExternalRefs:   []spdxExtRef{{Category: "PACKAGE-MANAGER", Type: "purl", Locator: GoPURL("stdlib", in.GoVersion)}},
		})
		doc.Relationships = append(doc.Relationships, spdxRelationship{imgID, "CONTAINS", id})
	}
	for _, m := range in.Modules {
		id := spdxID("Package", m.Path)
		p := spdxPackage{
			Name: m.Path, SPDXID: id, VersionInfo: m.Version,
			Supplier: "NOASSERTION", DownloadLocation: "NOASSERTION",
			LicenseConcluded: "NOASSERTION", LicenseDeclared: "NOASSERTION", CopyrightText: "NOASSERTION",
			PrimaryPurpose: "LIBRARY",
			ExternalRefs:   []spdxExtRef{{Category: "PACKAGE-MANAGER", Type: "purl", Locator: GoPURL(m.Path, m.Version)}},
		}
		if m.Main {
			p.PrimaryPurpose = "APPLICATION"
			p.Comment = "main module"
		}
		if h, ok := strings.CutPrefix(m.Sum, "h1:"); ok {
			if raw, err := base64.StdEncoding.DecodeString(h); err == nil && len(raw) == sha256.Size {
				p.Checksums = []spdxChecksum{{Algorithm: "SHA256", Value: hex.EncodeToString(raw)}}
				p.Comment = strings.TrimSpace(p.Comment + " go.sum " + m.Sum + " (the SHA256 checksum is this Go module dirhash, hex-encoded)")
			}
		}
		doc.Packages = append(doc.Packages, p)
		doc.Relationships = append(doc.Relationships, spdxRelationship{imgID, "CONTAINS", id})
	}
	doc.Relationships = append([]spdxRelationship{{"SPDXRef-DOCUMENT", "DESCRIBES", imgID}}, doc.Relationships...)
	// A namespace unique to this content, reproducibly.
	body, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(body)
	doc.DocumentNamespace = "https://spdx.org/spdxdocs/find-peers/" + strings.ReplaceAll(in.ImageName, "/", "-") + "-" + hex.EncodeToString(sum[:8])
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(out, '\n'), nil
}
