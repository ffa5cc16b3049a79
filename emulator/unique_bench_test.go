package emulator_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/graph-emulator/graph-emulator/emulator"
	"github.com/graph-emulator/graph-emulator/emulator/store"
)

// BenchmarkCreateUserAmong creates users in a tenant holding n of them: each create
// checks its userPrincipalName is unique. With the store's index (the server's own
// store) the check costs the same whatever n; a store without one (given by WithStore)
// reads every user.
func BenchmarkCreateUserAmong(b *testing.B) {
	for _, n := range []int{100, 10000} {
		for _, st := range []struct {
			name string
			opts func() []emulator.Option
		}{
			{"indexed", func() []emulator.Option { return nil }},
			{"scanned", func() []emulator.Option { return []emulator.Option{emulator.WithStore(store.NewMemory(0))} }},
		} {
			b.Run(fmt.Sprintf("users=%d/store=%s", n, st.name), func(b *testing.B) {
				s, err := emulator.New(st.opts()...)
				if err != nil {
					b.Fatal(err)
				}
				defer s.Close()
				w := newBenchWriter()
				post := func(i int) {
					body := fmt.Sprintf(`{"accountEnabled":true,"displayName":"U%d","mailNickname":"u%d","userPrincipalName":"u%d@contoso.test","passwordProfile":{"password":"x-Y-z-123!aB"}}`, i, i, i)
					r, _ := http.NewRequest("POST", "/v1.0/users", strings.NewReader(body))
					r.Header.Set("Content-Type", "application/json")
					w.status, w.body = 0, w.body[:0]
					s.ServeHTTP(w, r)
					if w.status != http.StatusCreated {
						b.Fatalf("POST: %d %s", w.status, w.body)
					}
				}
				for i := range n {
					post(i)
				}
				b.ReportAllocs()
				b.ResetTimer()
				for i := range b.N {
					post(n + i)
				}
			})
		}
	}
}
