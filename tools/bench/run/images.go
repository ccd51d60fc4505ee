package main

import (
	"encoding/json"
	"os"

	"github.com/find-peers/find-peers/libs/procstack"
	"github.com/find-peers/find-peers/libs/servicelist"
)

// ImageFact compares an image's compressed size (what a registry stores and
// a node pulls) with the stripped binary inside it.
type ImageFact struct {
	Service        string  `json:"service"`
	Platform       string  `json:"platform"`
	CompressedSize int64   `json:"compressedSize"`
	BinarySize     int64   `json:"strippedBinarySize"`
	Ratio          float64 `json:"compressedOverBinary"`
	HostBinarySize int64   `json:"hostBinarySize,omitempty"` // //services/<svc> as built (fastbuild strips it too), for context
}

type digestFile struct {
	TarballPlatform string `json:"tarballPlatform"`
	Images          []struct {
		Platform       string `json:"platform"`
		ImageID        string `json:"imageId"`
		CompressedSize int64  `json:"compressedSize"`
		BinarySize     int64  `json:"binarySize"`
	} `json:"images"`
}

func readDigest(path string) (*digestFile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var d digestFile
	return &d, json.Unmarshal(data, &d)
}

func imageFacts(digests multi, bin procstack.Binaries) []ImageFact {
	files := pairs(digests)
	var facts []ImageFact
	for _, svc := range servicelist.Names {
		d, err := readDigest(files[svc])
		if err != nil {
			continue
		}
		var host int64
		if fi, err := os.Stat(*bin.Path(svc)); err == nil {
			host = fi.Size()
		}
		for _, im := range d.Images {
			f := ImageFact{Service: svc, Platform: im.Platform, CompressedSize: im.CompressedSize, BinarySize: im.BinarySize, HostBinarySize: host}
			if im.BinarySize > 0 {
				f.Ratio = float64(im.CompressedSize) / float64(im.BinarySize)
			}
			facts = append(facts, f)
		}
	}
	return facts
}
