package entities

import (
	"bytes"
	"compress/gzip"
	"errors"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// updateGraph rewrites the embedded Graph schemas (go generate ./entities runs the test
// with it).
var updateGraph = flag.Bool("update-graph", false, "rewrite entities/graph/*.schema.gz from Graph's CSDL in ../shared/graph-metadata")

// graphCSDLDir is msgraph-metadata's clean CSDL files, in the shared folder beside the
// repository, relative to this package.
const graphCSDLDir = "../../shared/graph-metadata"

// graphSources lists each embedded version's CSDL file (in graphCSDLDir) and generated
// file (in this package).
// keysFrom, when set, names another CSDL file whose alternate keys the version's types
// take where they declare none: the beta file here is from 2021, before Graph's CSDL
// declared alternate keys, and Graph's beta serves the same ones as v1.0.
var graphSources = []struct{ version, csdl, keysFrom, file string }{
	{"v1.0", "clean_v10_metadata/cleanMetadata.xml", "", "graph/v1.0.schema.gz"},
	{"beta", "clean_beta_metadata/cleanMetadata.xml", "clean_v10_metadata/cleanMetadata.xml", "graph/beta.schema.gz"},
}

// generateGraph returns the compact form of a CSDL document, as the embedded files hold
// it (uncompressed). keysFrom, when not nil, is a CSDL document whose alternate keys
// are copied onto the types of the same name that have the property and none of their own.
func generateGraph(csdl, keysFrom []byte) ([]byte, error) {
	s, err := LoadCSDL(bytes.NewReader(csdl))
	if err != nil {
		return nil, err
	}
	if keysFrom != nil {
		from, err := LoadCSDL(bytes.NewReader(keysFrom))
		if err != nil {
			return nil, err
		}
		for _, ft := range from.StructuredTypes() {
			t := s.EntityType(ft.QualifiedName())
			if t == nil || len(ft.AlternateKeys) == 0 || len(t.AlternateKeys) > 0 {
				continue
			}
			for _, k := range ft.AlternateKeys {
				if p, _ := t.Property(k); p != nil {
					t.AlternateKeys = append(t.AlternateKeys, k)
				}
			}
		}
	}
	return encodeCompact(s), nil
}

// TestGraphFilesUpToDate regenerates the embedded Graph schemas from the CSDL files, in
// memory, and fails if the committed files hold anything else. The comparison is of the
// uncompressed forms, so that another compressor's output does not count as a change.
// With -update-graph it writes the files instead. Without the shared folder it skips.
func TestGraphFilesUpToDate(t *testing.T) {
	if _, err := os.Stat(graphCSDLDir); errors.Is(err, fs.ErrNotExist) {
		if *updateGraph {
			t.Fatalf("-update-graph: %s is absent: put msgraph-metadata's clean CSDL files there", graphCSDLDir)
		}
		t.Skipf("Graph's CSDL (%s) is not beside the repository: cannot check the generated files", graphCSDLDir)
	}
	for _, src := range graphSources {
		t.Run(src.version, func(t *testing.T) {
			doc, err := os.ReadFile(filepath.Join(graphCSDLDir, src.csdl))
			if err != nil {
				t.Fatal(err)
			}
			var keysFrom []byte
			if src.keysFrom != "" {
				if keysFrom, err = os.ReadFile(filepath.Join(graphCSDLDir, src.keysFrom)); err != nil {
					t.Fatal(err)
				}
			}
			want, err := generateGraph(doc, keysFrom)
			if err != nil {
				t.Fatalf("%s: %v", src.csdl, err)
			}
			if *updateGraph {
				gz, err := gzipCompact(want)
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(src.file, gz, 0o644); err != nil {
					t.Fatal(err)
				}
				t.Logf("wrote %s: %d bytes (%d uncompressed)", src.file, len(gz), len(want))
				return
			}
			committed, err := os.ReadFile(src.file)
			if err != nil {
				t.Fatal(err)
			}
			got, err := gunzip(string(committed))
			if err != nil {
				t.Fatalf("%s: %v", src.file, err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s is not what %s gives (%d bytes, want %d): run go generate ./entities", src.file, src.csdl, len(got), len(want))
			}
		})
	}
}

// gzipCompact compresses the compact form of a schema as the embedded files are.
func gzipCompact(raw []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(raw); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
