package emulator_test

import (
	"testing"

	"github.com/graph-emulator/graph-emulator/emulator"
	"github.com/graph-emulator/graph-emulator/entities"
)

// BenchmarkNew measures emulator.New: with no options (Graph's embedded v1.0 and beta
// schemas, decoded by the first call in the process and shared after it) and with the
// minimal built-in schemas.
func BenchmarkNew(b *testing.B) {
	b.Run("graph", func(b *testing.B) {
		if _, err := emulator.New(); err != nil { // the first call decodes the schemas
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := emulator.New(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("minimal", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			v1, err := entities.Builtin("v1.0")
			if err != nil {
				b.Fatal(err)
			}
			beta, err := entities.Builtin("beta")
			if err != nil {
				b.Fatal(err)
			}
			if _, err := emulator.New(emulator.WithSchema("v1.0", v1), emulator.WithSchema("beta", beta)); err != nil {
				b.Fatal(err)
			}
		}
	})
}
