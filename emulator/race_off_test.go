//go:build !race

package emulator_test

// slowdown scales the time bounds of timing tests (see race_on_test.go).
const slowdown = 1
