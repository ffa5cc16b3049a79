//go:build race

package emulator_test

// slowdown scales the time bounds of timing tests: the race detector makes code several
// times slower.
const slowdown = 10
