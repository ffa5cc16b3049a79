package faults_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/graph-emulator/graph-emulator/emulator/faults"
	"github.com/graph-emulator/graph-emulator/odata"
)

type entry struct{ id, tenant string }

func (e *entry) Names() (string, string) { return e.id, e.tenant }
func (e *entry) SetID(id string)         { e.id = id }
func (e *entry) State() string           { return e.id + "@" + e.tenant }

// TestList: ids given in order, skipping taken ones; a taken id refuses the whole Add;
// reads, deletes and clears by tenant; Each stops when asked.
func TestList(t *testing.T) {
	t.Parallel()
	l := faults.NewList[*entry, string]("thing", "thing")
	prepared := 0
	got, err := l.Add([]*entry{{id: "thing-2", tenant: "a"}, {tenant: "a"}, {tenant: "b"}}, func(*entry) { prepared++ })
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"thing-2@a", "thing-1@a", "thing-3@b"}; !slices.Equal(got, want) || prepared != 3 {
		t.Fatalf("Add = %q (prepared %d), want %q", got, prepared, want)
	}
	_, err = l.Add([]*entry{{tenant: "c"}, {id: "thing-1"}}, nil)
	var oe *odata.Error
	if !errors.As(err, &oe) || oe.Status != 409 {
		t.Fatalf("Add of a taken id: %v, want a 409", err)
	}
	if l.Len() != 3 {
		t.Fatalf("a refused Add added: Len %d", l.Len())
	}
	if got := l.List("a"); !slices.Equal(got, []string{"thing-2@a", "thing-1@a"}) {
		t.Errorf("List(a) = %q", got)
	}
	if got := l.List(""); len(got) != 3 {
		t.Errorf("List() = %q", got)
	}
	if _, ok := l.Get("thing-3", "a"); ok {
		t.Error("Get of another tenant's entry")
	}
	if s, ok := l.Get("thing-3", ""); !ok || s != "thing-3@b" {
		t.Errorf("Get(thing-3) = %q, %v", s, ok)
	}
	var seen []string
	l.Each(func(e *entry) bool { seen = append(seen, e.id); return len(seen) < 2 })
	if !slices.Equal(seen, []string{"thing-2", "thing-1"}) {
		t.Errorf("Each stopped after %q", seen)
	}
	if l.Delete("thing-2", "b") || !l.Delete("thing-2", "a") || l.Delete("thing-2", "") {
		t.Error("Delete: wrong tenant deleted, or deleted twice")
	}
	if n := l.Clear("a"); n != 1 || l.Len() != 1 {
		t.Errorf("Clear(a) = %d, Len %d", n, l.Len())
	}
	if n := l.Clear(""); n != 1 || l.Len() != 0 || len(l.List("")) != 0 {
		t.Errorf("Clear() = %d, Len %d", n, l.Len())
	}
}
