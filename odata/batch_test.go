package odata_test

import (
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/tidwall/gjson"

	"github.com/graph-emulator/graph-emulator/odata"
)

func TestDecodeBatch(t *testing.T) {
	t.Parallel()
	steps, err := odata.DecodeBatch([]byte(`{"requests":[
		{"id":"1","method":"post","url":"/users","headers":{"content-type":"application/json","X-N":5},"body":{"a": 1},"dependsOn":[]},
		{"id":"2","method":"GET","url":"users?$top=1","body":null,"dependsOn":["1"]},
		{"id":"3","method":"PUT","url":"/x","headers":{"Content-Type":"image/png"},"body":"aGk=","dependsOn":["2","1"]},
		{"id":"4","method":"PUT","url":"/x","headers":{"Content-Type":"image/png"},"body":"aGn_-w"},
		{"id":"5","method":"GET","url":"http://h/v1.0/users"},
		{"id":"6","method":"POST","url":"/users","body":{}},
		{"id":"7","method":"PUT","url":"/x","headers":{"Content-Type":"text/plain"},"body":"***"}
	]}`))
	if err != nil {
		t.Fatal(err)
	}
	if len(steps) != 7 {
		t.Fatalf("%d steps", len(steps))
	}
	s := steps[0]
	if s.ID != "1" || s.Method != "POST" || s.URL != "/users" || s.Header.Get("Content-Type") != "application/json" ||
		s.Header.Get("X-N") != "5" || string(s.Body) != `{"a": 1}` || !s.HasBody || len(s.DependsOn) != 0 || s.Err != nil {
		t.Errorf("step 1: %+v", s)
	}
	if s := steps[1]; s.HasBody || s.Body != nil || len(s.DependsOn) != 1 || s.DependsOn[0] != 0 || s.Err != nil {
		t.Errorf("step 2: %+v", s)
	}
	if s := steps[2]; string(s.Body) != "hi" || len(s.DependsOn) != 2 || s.DependsOn[0] != 1 || s.DependsOn[1] != 0 {
		t.Errorf("step 3: %+v", s)
	}
	if s := steps[3]; s.Err != nil || string(s.Body) != "hi\xff\xfb" {
		t.Errorf("step 4 (URL-safe base64 without padding): %+v %q", s, s.Body)
	}
	for _, i := range []int{4, 5, 6} {
		if e := steps[i].Err; e == nil || e.Status != http.StatusBadRequest {
			t.Errorf("step %d: Err %v, want a 400", i+1, e)
		}
	}
}

func TestAppendBatchResponse(t *testing.T) {
	t.Parallel()
	got := string(odata.AppendBatchResponse(nil, []odata.BatchResponse{
		{ID: "1", Status: 200, Header: []odata.BatchHeader{{Name: "Content-Type", Value: "application/json"}}, Body: []byte(`{"a":1}`), JSON: true},
		{ID: "2\"", Status: 204},
		{ID: "3", Status: 200, Header: []odata.BatchHeader{{Name: "Content-Type", Value: "text/plain"}}, Body: []byte("12")},
	}))
	want := `{"responses":[{"id":"1","status":200,"headers":{"Content-Type":"application/json"},"body":{"a":1}},` +
		`{"id":"2\"","status":204,"headers":{}},{"id":"3","status":200,"headers":{"Content-Type":"text/plain"},"body":"MTI="}]}`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// FuzzBatch: DecodeBatch never panics and fails only with a Graph error; a batch it
// accepts holds 1 to 20 steps with unique ids (case-insensitively), dependencies that
// name other steps and make no cycle, upper-case methods, and a Content-Type on every
// step with a body unless the step is refused; the answer written for it is valid JSON
// that gives back every id and body.
func FuzzBatch(f *testing.F) {
	for _, seed := range []string{
		`{"requests":[{"id":"1","method":"GET","url":"/users"}]}`,
		`{"requests":[{"id":"1","method":"POST","url":"/users","headers":{"Content-Type":"application/json"},"body":{"a":1}},{"id":"2","method":"GET","url":"/users","dependsOn":["1"],"body":null}]}`,
		`{"requests":[{"id":"a","method":"GET","url":"/x"},{"id":"A","method":"GET","url":"/x"}]}`,
		`{"requests":[{"id":"a","method":"GET","url":"/x","dependsOn":["b"]},{"id":"b","method":"GET","url":"/x","dependsOn":["a"]}]}`,
		`{"requests":[{"id":"a","method":"PUT","url":"/x","headers":{"Content-Type":"image/png"},"body":"aGk="}]}`,
		`{"requests":[{"id":"a","method":"GET","url":"https://graph.microsoft.com/v1.0/me"}]}`,
		`{"requests":[{"id":"a","method":"GET","url":"/x","dependsOn":["zz"]}]}`,
		`{"requests":[{"id":"a","method":"GET","url":"/x","headers":{"bad name":"v","x":"\u0000"}}]}`,
		`{"requests":[]}`, `{"requests":{}}`, `{}`, `[]`, `null`, `{"requests":[`, ``, `{"requests":["x"]}`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		steps, err := odata.DecodeBatch([]byte(in))
		if err != nil {
			var oe *odata.Error
			if !errors.As(err, &oe) || oe.Status != http.StatusBadRequest || oe.Code == "" || oe.Message == "" {
				t.Fatalf("%q: error %v (%T), want a 400 *odata.Error", in, err, err)
			}
			if steps != nil {
				t.Fatalf("%q: steps with an error", in)
			}
			return
		}
		if len(steps) == 0 || len(steps) > odata.MaxBatchRequests {
			t.Fatalf("%q: %d steps", in, len(steps))
		}
		ids := map[string]bool{}
		items := make([]odata.BatchResponse, len(steps))
		for i, s := range steps {
			key := strings.ToLower(s.ID)
			if s.ID == "" || ids[key] {
				t.Fatalf("%q: id %q empty or repeated", in, s.ID)
			}
			ids[key] = true
			if s.Method != strings.ToUpper(s.Method) {
				t.Fatalf("%q: method %q", in, s.Method)
			}
			for _, j := range s.DependsOn {
				if j < 0 || j >= len(steps) || j == i {
					t.Fatalf("%q: step %d depends on %d", in, i, j)
				}
			}
			if s.HasBody && s.Err == nil && s.Header.Get("Content-Type") == "" {
				t.Fatalf("%q: step %q has a body and no Content-Type", in, s.ID)
			}
			var hs []odata.BatchHeader
			for k, v := range s.Header {
				hs = append(hs, odata.BatchHeader{Name: k, Value: v[0]})
			}
			items[i] = odata.BatchResponse{ID: s.ID, Status: 200, Header: hs, Body: s.Body, JSON: gjson.ValidBytes(s.Body)}
		}
		checkAcyclic(t, in, steps)
		out := odata.AppendBatchResponse(nil, items)
		if !gjson.ValidBytes(out) {
			t.Fatalf("%q: invalid answer %s", in, out)
		}
		for i, r := range gjson.GetBytes(out, "responses").Array() {
			it := items[i]
			if r.Get("id").Str != strings.ToValidUTF8(it.ID, "\ufffd") && it.ID == strings.ToValidUTF8(it.ID, "") {
				t.Fatalf("%q: id %q written as %s", in, it.ID, r.Get("id").Raw)
			}
			if it.Body == nil {
				continue
			}
			if !it.JSON {
				b, err := base64.StdEncoding.DecodeString(r.Get("body").Str)
				if err != nil || string(b) != string(it.Body) {
					t.Fatalf("%q: body %q written as %s", in, it.Body, r.Get("body").Raw)
				}
			}
		}
	})
}

// checkAcyclic fails when the steps' dependencies make a cycle: an order exists that
// puts every step after those it depends on.
func checkAcyclic(t *testing.T, in string, steps []odata.BatchRequest) {
	t.Helper()
	placed := make([]bool, len(steps))
	for range steps {
		progress := false
		for i, s := range steps {
			if placed[i] {
				continue
			}
			ready := true
			for _, j := range s.DependsOn {
				ready = ready && placed[j]
			}
			if ready {
				placed[i], progress = true, true
			}
		}
		if !progress {
			break
		}
	}
	for i, p := range placed {
		if !p {
			t.Fatalf("%q: step %q is on a dependsOn cycle", in, steps[i].ID)
		}
	}
}
