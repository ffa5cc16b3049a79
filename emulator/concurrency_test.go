package emulator_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/tidwall/gjson"

	"github.com/graph-emulator/graph-emulator/emulator"
	"github.com/graph-emulator/graph-emulator/emulator/emulatortest"
	"github.com/graph-emulator/graph-emulator/entities"
)

// tallySchema has one entity set whose type has n Int64 properties c00, c01, ...
func tallySchema(t testing.TB, n int) *entities.Schema {
	t.Helper()
	props := []*entities.Property{{Name: "id", Type: "Edm.String", NotNull: true}}
	for i := range n {
		props = append(props, &entities.Property{Name: fmt.Sprintf("c%02d", i), Type: "Edm.Int64"})
	}
	s := entities.NewSchema("example.counters")
	if err := s.AddType(&entities.StructuredType{Name: "tally", Kind: entities.KindEntity, Key: []string{"id"}, Properties: props}); err != nil {
		t.Fatal(err)
	}
	if err := s.AddEntitySet("tallies", "example.counters.tally"); err != nil {
		t.Fatal(err)
	}
	if err := s.Resolve(); err != nil {
		t.Fatal(err)
	}
	return s
}

// int64Properties lists the Int64 properties of an entity set's type.
func int64Properties(t testing.TB, s *entities.Schema, set string) []string {
	t.Helper()
	es := s.EntitySet(set)
	if es == nil {
		t.Fatalf("no entity set %s", set)
	}
	var out []string
	for _, p := range es.Type().AllProperties() {
		if p.Type == "Edm.Int64" {
			out = append(out, p.Name)
		}
	}
	return out
}

// sender sends one request and returns status and body; safe for concurrent use.
type sender func(method, path, body string) (int, []byte, error)

func httpSender(srv *emulatortest.Server) sender {
	return func(method, path, body string) (int, []byte, error) {
		resp, err := srv.Send(method, path, body)
		if err != nil {
			return 0, nil, err
		}
		return resp.Status, resp.Body, nil
	}
}

// handlerSender calls ServeHTTP directly, without a network.
func handlerSender(h http.Handler) sender {
	return func(method, path, body string) (int, []byte, error) {
		var req *http.Request
		if body == "" {
			req = httptest.NewRequest(method, path, nil)
		} else {
			req = httptest.NewRequest(method, path, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code, rec.Body.Bytes(), nil
	}
}

// TestConcurrentWriters runs writers that each own one Int64 property and PATCH it with
// an increasing counter on every shared entity, creators that add entities, and readers,
// all at once. No update may be lost: each PATCH answer shows the writer's own value and
// no property going backwards; at the end every property holds its writer's last value,
// and every created entity is readable and listed exactly once.
func TestConcurrentWriters(t *testing.T) {
	t.Parallel()
	rounds := 20
	if testing.Short() {
		rounds = 5
	}
	builtin, err := entities.Builtin("v1.0")
	if err != nil {
		t.Fatal(err)
	}
	targets := []struct {
		name   string
		schema *entities.Schema // nil: the built-in
		set    string
		props  []string
	}{
		{name: "seed type", set: "office365ServicesUserCounts", props: int64Properties(t, builtin, "office365ServicesUserCounts")},
		{name: "16 writers", schema: tallySchema(t, 16), set: "tallies", props: int64Properties(t, tallySchema(t, 16), "tallies")},
	}
	transports := []struct {
		name  string
		start func(t *testing.T, opts ...emulator.Option) sender
	}{
		{name: "http", start: func(t *testing.T, opts ...emulator.Option) sender {
			return httpSender(emulatortest.New(t, opts...))
		}},
		{name: "ServeHTTP", start: func(t *testing.T, opts ...emulator.Option) sender {
			srv, err := emulator.New(opts...)
			if err != nil {
				t.Fatal(err)
			}
			return handlerSender(srv)
		}},
	}
	for _, target := range targets {
		for _, tr := range transports {
			t.Run(target.name+"/"+tr.name, func(t *testing.T) {
				t.Parallel()
				var opts []emulator.Option
				if target.schema != nil {
					opts = append(opts, emulator.WithSchema("v1.0", target.schema))
				}
				// A small page makes the final listing cross many pages.
				opts = append(opts, emulator.WithPageSize(7))
				send := tr.start(t, opts...)
				runConcurrentWriters(t, send, "/v1.0/"+target.set, target.props, rounds)
			})
		}
	}
}

func runConcurrentWriters(t *testing.T, send sender, setPath string, props []string, rounds int) {
	const (
		shared     = 4  // entities every writer patches
		creators   = 4  // goroutines creating entities
		perCreator = 15 // entities each creator makes
		readers    = 2
	)
	if len(props) < 2 {
		t.Fatalf("need at least 2 Int64 properties, have %q", props)
	}

	var sharedIDs []string
	for range shared {
		status, body, err := send("POST", setPath, `{}`)
		if err != nil || status != http.StatusCreated {
			t.Fatalf("create shared entity: %d %s %v", status, body, err)
		}
		sharedIDs = append(sharedIDs, gjson.GetBytes(body, "id").String())
	}

	var writers, others sync.WaitGroup
	done := make(chan struct{})

	// Writers: writer w owns props[w].
	for w, prop := range props {
		writers.Add(1)
		go func() {
			defer writers.Done()
			// seen[k][p]: the highest value of props[p] this writer saw on entity k.
			seen := make([][]int64, shared)
			for k := range seen {
				seen[k] = make([]int64, len(props))
			}
			for r := 1; r <= rounds; r++ {
				for k, id := range sharedIDs {
					status, body, err := send("PATCH", setPath+"/"+id, fmt.Sprintf(`{%q:%d}`, prop, r))
					if err != nil || status != http.StatusOK {
						t.Errorf("writer %d: PATCH %s: %d %s %v", w, id, status, body, err)
						return
					}
					if got := gjson.GetBytes(body, prop).Int(); got != int64(r) {
						t.Errorf("writer %d: PATCH answered %s=%d, want its own %d", w, prop, got, r)
						return
					}
					for p, other := range props {
						v := gjson.GetBytes(body, other).Int() // absent: 0
						if v < seen[k][p] {
							t.Errorf("writer %d: %s of %s went back from %d to %d: an update was lost", w, other, id, seen[k][p], v)
							return
						}
						seen[k][p] = v
					}
				}
			}
		}()
	}

	// Creators: each keeps its own list of created ids.
	created := make([][]string, creators)
	for c := range creators {
		others.Add(1)
		go func() {
			defer others.Done()
			for i := range perCreator {
				status, body, err := send("POST", setPath, fmt.Sprintf(`{%q:%d}`, props[0], i))
				if err != nil || status != http.StatusCreated {
					t.Errorf("creator %d: POST: %d %s %v", c, status, body, err)
					return
				}
				id := gjson.GetBytes(body, "id").String()
				if !guidPattern.MatchString(id) {
					t.Errorf("creator %d: id %q is not a GUID", c, id)
				}
				created[c] = append(created[c], id)
			}
		}()
	}

	// Readers: GET shared entities and the first page of the set until the writers end;
	// each property they see must never go backwards.
	for rd := range readers {
		others.Add(1)
		go func() {
			defer others.Done()
			seen := map[string]int64{}
			for i := 0; ; i++ {
				select {
				case <-done:
					return
				default:
				}
				id := sharedIDs[i%shared]
				status, body, err := send("GET", setPath+"/"+id, "")
				if err != nil || status != http.StatusOK {
					t.Errorf("reader %d: GET %s: %d %s %v", rd, id, status, body, err)
					return
				}
				for _, p := range props {
					v := gjson.GetBytes(body, p).Int()
					if v < seen[id+p] {
						t.Errorf("reader %d: %s of %s went back from %d to %d", rd, p, id, seen[id+p], v)
						return
					}
					seen[id+p] = v
				}
				if status, body, err := send("GET", setPath, ""); err != nil || status != http.StatusOK {
					t.Errorf("reader %d: list: %d %s %v", rd, status, body, err)
					return
				}
			}
		}()
	}

	writers.Wait()
	close(done)
	others.Wait()
	if t.Failed() {
		return
	}

	// No lost update: every property holds its writer's last value.
	for _, id := range sharedIDs {
		status, body, err := send("GET", setPath+"/"+id, "")
		if err != nil || status != http.StatusOK {
			t.Fatalf("GET %s: %d %s %v", id, status, body, err)
		}
		for _, p := range props {
			if got := gjson.GetBytes(body, p).Int(); got != int64(rounds) {
				t.Errorf("%s of %s is %d, want the writer's last value %d", p, id, got, rounds)
			}
		}
	}

	// Every created entity is readable and listed exactly once.
	want := slices.Clone(sharedIDs)
	for c := range created {
		if len(created[c]) != perCreator {
			t.Errorf("creator %d made %d entities, want %d", c, len(created[c]), perCreator)
		}
		for _, id := range created[c] {
			want = append(want, id)
			if status, body, err := send("GET", setPath+"/"+id, ""); err != nil || status != http.StatusOK {
				t.Errorf("GET created %s: %d %s %v", id, status, body, err)
			}
		}
	}
	var listed []string
	next := setPath
	for pages := 0; next != ""; pages++ {
		if pages > len(want) {
			t.Fatalf("listing does not end")
		}
		status, body, err := send("GET", next, "")
		if err != nil || status != http.StatusOK {
			t.Fatalf("list %s: %d %s %v", next, status, body, err)
		}
		for _, v := range gjson.GetBytes(body, "value.#.id").Array() {
			listed = append(listed, v.String())
		}
		next = gjson.GetBytes(body, `@odata\.nextLink`).String()
	}
	slices.Sort(want)
	slices.Sort(listed)
	if !slices.Equal(listed, want) {
		t.Errorf("listed %d ids, want %d: the listing and the created ids differ", len(listed), len(want))
	}
	if len(slices.Compact(slices.Clone(listed))) != len(listed) {
		t.Errorf("an id is listed twice")
	}
}
