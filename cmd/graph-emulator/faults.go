package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/graph-emulator/graph-emulator/emulator"
	"github.com/graph-emulator/graph-emulator/emulator/faults"
	"github.com/graph-emulator/graph-emulator/emulator/stubs"
	"github.com/graph-emulator/graph-emulator/odata"
)

// Fault rules and stubs at start: --fault JSON (repeatable), --faults FILE and --stubs
// FILE (repeatable, or comma-separated), in the JSON of POST /_emulator/faults and
// /_emulator/stubs: one object, or an array of them.

// faultsValue collects the rules of --fault as one JSON array (a string, so that
// options stay comparable); each Set adds a rule or an array of rules, checked as
// JSON (a malformed member is named); the rules themselves are checked by
// emulator.New.
type faultsValue string

func (f *faultsValue) String() string { return string(*f) }

func (f *faultsValue) Set(s string) error {
	if _, err := faults.DecodeList[faults.Rule]([]byte(s), "fault rule"); err != nil {
		return errors.New(errorText(err))
	}
	var all []json.RawMessage
	if *f != "" {
		if err := json.Unmarshal([]byte(*f), &all); err != nil {
			return err
		}
	}
	if t := bytes.TrimSpace([]byte(s)); t[0] == '[' {
		var items []json.RawMessage
		if err := json.Unmarshal(t, &items); err != nil {
			return err
		}
		all = append(all, items...)
	} else {
		all = append(all, t)
	}
	b, err := json.Marshal(all) // compact
	if err != nil {
		return err
	}
	*f = faultsValue(b)
	return nil
}

// errorText is an error's message: a Graph error's message alone.
func errorText(err error) string {
	var ge *odata.Error
	if errors.As(err, &ge) {
		return ge.Message
	}
	return err.Error()
}

// injectOptions returns the options of the fault rules and stubs given at start: the
// --fault rules, then those of the --faults files, then the --stubs files.
func injectOptions(o *options) ([]emulator.Option, error) {
	var rules []faults.Rule
	if o.faultRules != "" {
		list, err := faults.DecodeList[faults.Rule]([]byte(o.faultRules), "fault rule")
		if err != nil {
			return nil, fmt.Errorf("--fault: %s", errorText(err))
		}
		rules = append(rules, list...)
	}
	for _, name := range o.faultFiles.list() {
		b, err := os.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("--faults %s: %w", name, err)
		}
		list, err := faults.DecodeList[faults.Rule](b, "fault rule")
		if err != nil {
			return nil, fmt.Errorf("--faults %s: %s", name, errorText(err))
		}
		rules = append(rules, list...)
	}
	var list []stubs.Stub
	for _, name := range o.stubFiles.list() {
		b, err := os.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("--stubs %s: %w", name, err)
		}
		l, err := faults.DecodeList[stubs.Stub](b, "stub")
		if err != nil {
			return nil, fmt.Errorf("--stubs %s: %s", name, errorText(err))
		}
		list = append(list, l...)
	}
	var opts []emulator.Option
	if len(rules) > 0 {
		opts = append(opts, emulator.WithFaults(rules...))
	}
	if len(list) > 0 {
		opts = append(opts, emulator.WithStubs(list...))
	}
	return opts, nil
}
