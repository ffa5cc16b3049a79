package behavior_test

import (
	"testing"

	"github.com/graph-emulator/graph-emulator/emulator/behavior"
	"github.com/graph-emulator/graph-emulator/entities"
	"github.com/graph-emulator/graph-emulator/odata"
)

func TestDeltaRules(t *testing.T) {
	t.Parallel()
	s := schema(t)
	b := behavior.New(behavior.Config{})
	user, note := s.EntityType("microsoft.graph.user"), s.EntityType("microsoft.graph.note")
	cases := []struct {
		typ    *entities.StructuredType
		filter string
		top    int
		ok     bool
	}{
		{user, "id eq 'a'", -1, true},
		{user, "id eq 'a' or id eq 'b'", -1, true},
		{user, "id in ('a','b')", -1, true},
		{user, "id eq 'displayName eq x'", -1, true}, // words inside a literal are text
		{user, "id eq 'it''s' or id eq 'b'", -1, true},
		{user, "displayName eq 'a'", -1, false},
		{user, "id eq 'a' and startswith(displayName,'a')", -1, false},
		{user, "", 5, false},
		{note, "displayName eq 'a'", 5, true},
	}
	for _, c := range cases {
		q := &odata.Query{Top: c.top, Skip: -1}
		if c.filter != "" {
			f, err := odata.ParseFilter(s, c.typ, c.filter)
			if err != nil {
				t.Fatalf("%s: %v", c.filter, err)
			}
			q.Filter = f
		}
		err := b.DeltaRules(behavior.DeltaQuery{Schema: s, Type: c.typ, Query: q, KeyName: "id"})
		if (err == nil) != c.ok {
			t.Errorf("%s %q $top=%d: %v, want ok=%v", c.typ.Name, c.filter, c.top, err, c.ok)
		}
	}
	if !b.DeltaChangedOnly(s, user, false) || b.DeltaChangedOnly(s, note, false) || !b.DeltaChangedOnly(s, note, true) {
		t.Error("DeltaChangedOnly: directory objects always, others on return=minimal")
	}
}
