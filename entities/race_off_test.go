//go:build !race

package entities_test

// slowdown scales the time bounds of timing tests (see race_on_test.go).
const slowdown = 1
