package emulator

import (
	"fmt"
	"math/rand/v2"

	"github.com/graph-emulator/graph-emulator/emulator/control"
	"github.com/graph-emulator/graph-emulator/emulator/faults"
	"github.com/graph-emulator/graph-emulator/emulator/stubs"
)

// controlConfig is the configuration of the control API, the journal and the state a
// server starts with.
type controlConfig struct {
	journalSize    int
	journalSizeSet bool
	seeds          []fixture
	sampleData     bool
	signedIn       string        // see WithSignedInUser
	faults         []faults.Rule // see WithFaults
	stubs          []stubs.Stub  // see WithStubs
	random         rand.Source   // see WithRandom
}

// WithJournalSize keeps the last n requests in the request journal (GET
// /_emulator/requests). Zero or less turns the journal off. Default:
// control.DefaultJournalSize (1000).
func WithJournalSize(n int) Option {
	return func(c *config) error {
		c.control.journalSize, c.control.journalSizeSet = max(n, 0), true
		return nil
	}
}

// WithSeed loads a fixture (see the fixture format in the README, or fixture.go) into the
// default tenant when the server starts, after the sample data and the seeds given
// before it; name labels its errors (a file name). New fails on a bad fixture, naming
// the problem. POST /_emulator/reset returns the default tenant to this state. With a
// store that already holds data for the default tenant (a persistent one), seeds are
// checked but not loaded. Default: none.
func WithSeed(name string, fixtureJSON []byte) Option {
	return func(c *config) error {
		if name == "" {
			name = fmt.Sprintf("fixture %d", len(c.control.seeds)+1)
		}
		c.control.seeds = append(c.control.seeds, fixture{name: "seed " + name, data: fixtureJSON})
		return nil
	}
}

// WithSampleData loads a small sample tenant into the default tenant at start (before
// any WithSeed): users with a manager chain, groups with members and owners, an
// application with its service principal, and mail and events for the signed-in user,
// whom /me stands for unless WithSignedInUser or WithSingletonKey names another. The
// fixture is control.SampleData. Default: off.
func WithSampleData() Option {
	return func(c *config) error {
		c.control.sampleData = true
		return nil
	}
}

// WithSignedInUser makes /me stand for the user with the id or user principal name
// idOrUPN (a value with '@' is a UPN). When no seed holds such a user, New creates one
// in the default tenant (see behavior.SignedInUser for what it holds): for a UPN, a user
// with a new id and that UPN; for an id, a user with that id and the UPN
// me@contoso.test. Default: none, and /me answers as Graph does without a signed-in
// user (or as WithSingletonKey says).
func WithSignedInUser(idOrUPN string) Option {
	return func(c *config) error {
		if idOrUPN == "" {
			return fmt.Errorf("emulator: the signed-in user needs an id or a user principal name")
		}
		c.control.signedIn = idOrUPN
		return nil
	}
}

// journalSize is the configured size of the journal.
func (c *controlConfig) size() int {
	if !c.journalSizeSet {
		return control.DefaultJournalSize
	}
	return c.journalSize
}

// WithFaults adds fault rules when the server starts, before any added through POST
// /_emulator/faults; see faults.Rule and the README's Faults section. New fails on a
// malformed rule, naming the field. Default: none.
func WithFaults(rules ...faults.Rule) Option {
	return func(c *config) error {
		c.control.faults = append(c.control.faults, rules...)
		return nil
	}
}

// WithStubs adds stubs when the server starts, before any added through POST
// /_emulator/stubs; see stubs.Stub and the README's Stubs section. New fails on a
// malformed stub, naming the field. Default: none.
func WithStubs(list ...stubs.Stub) Option {
	return func(c *config) error {
		c.control.stubs = append(c.control.stubs, list...)
		return nil
	}
}

// WithRandom draws the seeds of fault rules that give none from src (a rule's own
// random source, for its probability and latency range, is seeded from its seed), so
// that a whole run can be reproduced. src must not be used elsewhere. Default: a
// source seeded from crypto/rand.
func WithRandom(src rand.Source) Option {
	return func(c *config) error {
		if src == nil {
			return fmt.Errorf("emulator: nil random source")
		}
		c.control.random = src
		return nil
	}
}
