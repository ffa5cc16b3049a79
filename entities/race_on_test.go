//go:build race

package entities_test

// slowdown scales the time bounds of timing tests: the race detector makes code several
// times slower.
const slowdown = 10
