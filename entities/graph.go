package entities

import (
	"bytes"
	"compress/gzip"
	_ "embed" // the Graph schemas
	"encoding/binary"
	"fmt"
	"strings"
	"sync"
)

// The embedded Graph schemas: Microsoft's published CSDL (msgraph-metadata, MIT; see
// graph/LICENSE and graph/README.md) in the compact form (compact.go), gzip-compressed.
// Regenerate them from the CSDL files beside the repository with go generate; the test
// TestGraphFilesUpToDate fails when they differ from what the CSDL gives.
//
//go:generate go test -run ^TestGraphFilesUpToDate$ -update-graph

//go:embed graph/v1.0.schema.gz
var graphV1Data string

//go:embed graph/beta.schema.gz
var graphBetaData string

// graphData returns the embedded compressed schema of a version.
func graphData(version string) (string, error) {
	switch version {
	case "v1.0":
		return graphV1Data, nil
	case "beta":
		return graphBetaData, nil
	}
	return "", fmt.Errorf("graph schema: unknown version %q (want v1.0 or beta)", version)
}

// Graph returns Microsoft Graph's schema of a version ("v1.0" or "beta"), embedded in the
// binary, with the built-in additions (AddBuiltins): every entity set, singleton, type
// and operation of Graph's published CSDL. The beta schema is msgraph-metadata's
// clean beta file of June 2021.
//
// The schema is decoded on the first call for its version (in a few milliseconds, no
// XML is parsed); every later call returns the same schema. It is resolved, hence
// immutable, and safe to share between servers and goroutines. Use GraphWith for a copy
// of one's own, to extend.
func Graph(version string) (*Schema, error) {
	switch version {
	case "v1.0":
		return graphV1()
	case "beta":
		return graphBeta()
	}
	return nil, fmt.Errorf("graph schema: unknown version %q (want v1.0 or beta)", version)
}

// graphV1 and graphBeta hold the one decoded schema of each version. They are the
// package's only state besides the embedded bytes, and it is write-once: each variable is
// set at initialisation and never assigned again, sync.OnceValues runs the decoding at
// most once and hands every caller the same result, and that result is a resolved
// Schema, which must not be changed (Schema's contract; the Add methods refuse it). Two
// servers therefore share the parsed types and nothing else.
var (
	graphV1   = sync.OnceValues(func() (*Schema, error) { return GraphWith("v1.0", nil) })
	graphBeta = sync.OnceValues(func() (*Schema, error) { return GraphWith("beta", nil) })
)

// GraphWith decodes a new copy of Graph's embedded schema of a version, adds the built-in
// additions (AddBuiltins), calls extend on it (nil adds nothing), to add types or expose
// entity sets (Expose), and resolves it. Each call costs a full decoding; Graph returns a
// shared copy without extensions.
func GraphWith(version string, extend func(*Schema) error) (*Schema, error) {
	data, err := graphData(version)
	if err != nil {
		return nil, err
	}
	raw, err := gunzip(data)
	if err != nil {
		return nil, fmt.Errorf("graph schema %s: %w", version, err)
	}
	s, err := decodeCompact(raw)
	if err != nil {
		return nil, fmt.Errorf("graph schema %s: %w", version, err)
	}
	if err := AddBuiltins(s); err != nil {
		return nil, fmt.Errorf("graph schema %s: %w", version, err)
	}
	if extend != nil {
		if err := extend(s); err != nil {
			return nil, err
		}
	}
	if err := s.Resolve(); err != nil {
		return nil, fmt.Errorf("graph schema %s: %w", version, err)
	}
	return s, nil
}

// gunzip decompresses a gzip stream into a buffer of the size its trailer states.
func gunzip(data string) ([]byte, error) {
	zr, err := gzip.NewReader(strings.NewReader(data))
	if err != nil {
		return nil, err
	}
	size := 0
	if len(data) >= 4 {
		size = int(binary.LittleEndian.Uint32([]byte(data[len(data)-4:])))
	}
	buf := bytes.NewBuffer(make([]byte, 0, size+bytes.MinRead))
	if _, err := buf.ReadFrom(zr); err != nil {
		return nil, err
	}
	if err := zr.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
