package emulator_test

import (
	"encoding/json"
	"net/http"
	"sync"

	"github.com/google/uuid"
)

// reference is the yardstick of the benchmarks: the Graph mock one writes by hand in an
// afternoon. Plain net/http routing, encoding/json into map[string]any, one
// map[string]map[string]any behind a sync.Mutex. It serves one entity set at
// /v1.0/{set} and /v1.0/{set}/{id}:
//
//	POST  /v1.0/{set}       201, a new UUID id, the stored map as JSON
//	PATCH /v1.0/{set}/{id}  200, the body's members merged into the stored map
//	GET   /v1.0/{set}/{id}  200, the stored map
//	GET   /v1.0/{set}       200, {"value":[...]}
//
// It is honest, not slowed down: bodies are decoded and new entities encoded outside
// the lock; stored maps, which PATCH mutates in place, are encoded under the lock, and
// nothing is written to the network while it is held.
type reference struct {
	set string
	mux *http.ServeMux

	mu       sync.Mutex
	entities map[string]map[string]any
}

func newReference(set string) *reference {
	ref := &reference{set: set, mux: http.NewServeMux(), entities: map[string]map[string]any{}}
	ref.mux.HandleFunc("POST /v1.0/"+set, ref.create)
	ref.mux.HandleFunc("GET /v1.0/"+set, ref.list)
	ref.mux.HandleFunc("GET /v1.0/"+set+"/{id}", ref.get)
	ref.mux.HandleFunc("PATCH /v1.0/"+set+"/{id}", ref.update)
	return ref
}

func (ref *reference) ServeHTTP(w http.ResponseWriter, r *http.Request) { ref.mux.ServeHTTP(w, r) }

// Reset forgets every entity.
func (ref *reference) Reset() {
	ref.mu.Lock()
	ref.entities = map[string]map[string]any{}
	ref.mu.Unlock()
}

func (ref *reference) create(w http.ResponseWriter, r *http.Request) {
	var m map[string]any
	if err := json.NewDecoder(r.Body).Decode(&m); err != nil || m == nil {
		http.Error(w, `{"error":{"code":"BadRequest","message":"invalid JSON"}}`, http.StatusBadRequest)
		return
	}
	id := uuid.NewString()
	m["id"] = id
	out, err := json.Marshal(m)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	ref.mu.Lock()
	ref.entities[id] = m
	ref.mu.Unlock()
	writeJSON(w, http.StatusCreated, out)
}

func (ref *reference) update(w http.ResponseWriter, r *http.Request) {
	var patch map[string]any
	if err := json.NewDecoder(r.Body).Decode(&patch); err != nil || patch == nil {
		http.Error(w, `{"error":{"code":"BadRequest","message":"invalid JSON"}}`, http.StatusBadRequest)
		return
	}
	id := r.PathValue("id")
	ref.mu.Lock()
	m, ok := ref.entities[id]
	if !ok {
		ref.mu.Unlock()
		http.Error(w, `{"error":{"code":"NotFound","message":"not found"}}`, http.StatusNotFound)
		return
	}
	for k, v := range patch {
		if k != "id" {
			m[k] = v
		}
	}
	out, err := json.Marshal(m)
	ref.mu.Unlock()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (ref *reference) get(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	ref.mu.Lock()
	m, ok := ref.entities[id]
	if !ok {
		ref.mu.Unlock()
		http.Error(w, `{"error":{"code":"NotFound","message":"not found"}}`, http.StatusNotFound)
		return
	}
	out, err := json.Marshal(m)
	ref.mu.Unlock()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (ref *reference) list(w http.ResponseWriter, r *http.Request) {
	ref.mu.Lock()
	value := make([]map[string]any, 0, len(ref.entities))
	for _, m := range ref.entities {
		value = append(value, m)
	}
	out, err := json.Marshal(map[string]any{"value": value})
	ref.mu.Unlock()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func writeJSON(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
