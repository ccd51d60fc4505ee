package ociimage

import (
	"encoding/json"
	"strings"
	"testing"
)

const testGoMod = `module github.com/find-peers/find-peers

go 1.26.8

require (
	github.com/gorilla/mux v1.8.1
	github.com/prometheus/client_golang v1.25.0 // indirect
	github.com/prometheus/client_model v0.6.3 // indirect
)
`

const testGoSum = `github.com/gorilla/mux v1.8.1 h1:TuBL49tXwgrFYWhqrNgrUNEY92u81SPhu7sTdzQEiWY=
github.com/gorilla/mux v1.8.1/go.mod h1:AKf9I4AEqPTmMytcMc0KkNouC66V3BtZ4qD5fmWSiMQ=
github.com/prometheus/client_golang v1.25.0 h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=
`

func TestModulesFromPackages(t *testing.T) {
	pkgs := []string{
		"github.com/find-peers/find-peers/services/gateway",
		"github.com/find-peers/find-peers/libs/httpx",
		"github.com/gorilla/mux",
		"github.com/prometheus/client_golang/prometheus",
		"github.com/prometheus/client_golang/prometheus/internal",
		"net/http", "",
	}
	mods, err := ModulesFromPackages(pkgs, []byte(testGoMod), []byte(testGoSum), "v1.2.3")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range mods {
		got = append(got, m.Path+"@"+m.Version+" "+m.Sum)
	}
	want := []string{
		"github.com/find-peers/find-peers@v1.2.3 ",
		"github.com/gorilla/mux@v1.8.1 h1:TuBL49tXwgrFYWhqrNgrUNEY92u81SPhu7sTdzQEiWY=",
		"github.com/prometheus/client_golang@v1.25.0 h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if _, err := ModulesFromPackages([]string{"example.com/unknown"}, []byte(testGoMod), nil, ""); err == nil {
		t.Error("a package no module provides was accepted")
	}
}

func TestSPDX(t *testing.T) {
	mods, err := ModulesFromPackages([]string{"github.com/gorilla/mux"}, []byte(testGoMod), []byte(testGoSum), "(devel)")
	if err != nil {
		t.Fatal(err)
	}
	in := SBOMInput{ImageName: "find-peers/gateway", IndexDigest: "sha256:" + strings.Repeat("ab", 32), GoVersion: "go1.26.8", Modules: mods}
	a, err := SPDX(in)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := SPDX(in)
	if string(a) != string(b) {
		t.Error("SPDX output not deterministic")
	}
	var doc struct {
		SPDXVersion  string `json:"spdxVersion"`
		CreationInfo struct {
			Created string `json:"created"`
		} `json:"creationInfo"`
		Packages []struct {
			Name         string `json:"name"`
			VersionInfo  string `json:"versionInfo"`
			Checksums    []struct{ Algorithm, ChecksumValue string }
			ExternalRefs []struct{ ReferenceLocator string }
		} `json:"packages"`
	}
	if err := json.Unmarshal(a, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.SPDXVersion != "SPDX-2.3" || doc.CreationInfo.Created != "1970-01-01T00:00:00Z" {
		t.Errorf("version %s created %s", doc.SPDXVersion, doc.CreationInfo.Created)
	}
	found := false
	for _, p := range doc.Packages {
		if p.Name == "github.com/gorilla/mux" {
			found = true
			if p.VersionInfo != "v1.8.1" || len(p.ExternalRefs) != 1 || p.ExternalRefs[0].ReferenceLocator != "pkg:golang/github.com/gorilla/mux@v1.8.1" {
				t.Errorf("mux package %+v", p)
			}
			if len(p.Checksums) != 1 || p.Checksums[0].Algorithm != "SHA256" || len(p.Checksums[0].ChecksumValue) != 64 {
				t.Errorf("mux checksums %+v", p.Checksums)
			}
		}
	}
	if !found {
		t.Errorf("no gorilla/mux in %s", a)
	}
}
