package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tidwall/gjson"
)

// fileContent is the content uploaded under marker: 1 KiB to 1 KiB + spread bytes,
// from the marker.
func fileContent(marker string, spread int) []byte {
	seed := sha256.Sum256([]byte(marker))
	b := make([]byte, 1<<10+int(binary.BigEndian.Uint32(seed[:4])%uint32(spread)))
	_, _ = rand.NewChaCha8(seed).Read(b)
	return b
}

// upload is one PUT of a file's content during the load: acknowledged or not (in flight
// when the emulator was killed, or refused).
type upload struct {
	name, marker string
	acked        bool
	at           time.Time
}

// uploadLoad PUTs files from several goroutines until the emulator stops answering (it
// is killed); each goroutine cycles through three names of its own, so that most
// uploads replace a file. It returns every upload tried, in each name's order.
func uploadLoad(drive string, goroutines int, round string, spread int) []upload {
	tr := &http.Transport{MaxIdleConnsPerHost: goroutines}
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	var (
		mu  sync.Mutex
		ups []upload
		wg  sync.WaitGroup
	)
	for g := range goroutines {
		wg.Go(func() {
			for i := 0; ; i++ {
				u := upload{name: fmt.Sprintf("%s-g%d-f%d.bin", round, g, i%3), marker: fmt.Sprintf("%s-%d-%d", round, g, i)}
				req, err := http.NewRequest("PUT", drive+"/root:/"+u.name+":/content", bytes.NewReader(fileContent(u.marker, spread)))
				if err != nil {
					panic(err)
				}
				resp, err := c.Do(req)
				if err == nil {
					_, err = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					u.acked = err == nil && (resp.StatusCode == http.StatusCreated || resp.StatusCode == http.StatusOK)
					u.at = time.Now()
				}
				mu.Lock()
				ups = append(ups, u)
				mu.Unlock()
				if !u.acked {
					return // killed
				}
			}
		})
	}
	wg.Wait()
	return ups
}

// checkUploads downloads every file the uploads named and returns what is wrong: a
// file whose content is not the last upload that must survive (acknowledged, and
// kept(u)) or one tried after it, a file whose item's size or sha256Hash does not
// describe its content, a file lost.
func checkUploads(t *testing.T, drive string, ups []upload, spread int, kept func(upload) bool) []string {
	t.Helper()
	c := &http.Client{Timeout: waitLimit}
	get := func(url string) (int, []byte) {
		resp, err := c.Get(url)
		if err != nil {
			t.Fatalf("GET: %v", err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatalf("GET: %v", err)
		}
		return resp.StatusCode, b
	}
	byName := map[string][]upload{}
	var names []string
	for _, u := range ups {
		if byName[u.name] == nil {
			names = append(names, u.name)
		}
		byName[u.name] = append(byName[u.name], u)
	}
	var bad []string
	for _, name := range names {
		versions := byName[name]
		must := -1 // the last upload that must survive
		for i, u := range versions {
			if u.acked && kept(u) {
				must = i
			}
		}
		status, item := get(drive + "/root:/" + name + ":")
		if status == http.StatusNotFound {
			if must >= 0 {
				bad = append(bad, fmt.Sprintf("%s lost (last kept upload %s)", name, versions[must].marker))
			}
			continue
		}
		if status != http.StatusOK {
			t.Fatalf("GET %s: %d %s", name, status, item)
		}
		status, content := get(drive + "/root:/" + name + ":/content")
		sum := sha256.Sum256(content)
		if status != http.StatusOK || gjson.GetBytes(item, "size").Int() != int64(len(content)) ||
			!strings.EqualFold(gjson.GetBytes(item, "file.hashes.sha256Hash").String(), hex.EncodeToString(sum[:])) {
			bad = append(bad, fmt.Sprintf("%s: %d, %d bytes whose sha256 the item does not have: %s", name, status, len(content), item))
			continue
		}
		found := false
		for _, u := range versions[max(must, 0):] {
			if bytes.Equal(content, fileContent(u.marker, spread)) {
				found = true
				break
			}
		}
		if !found {
			bad = append(bad, fmt.Sprintf("%s: content of none of the uploads since %s", name, versions[max(must, 0)].marker))
		}
	}
	return bad
}

// TestKillDuringUploads runs the binary with --data-dir, kills it with SIGKILL while
// goroutines upload and replace files, and restarts it, several times: every upload
// acknowledged before the kill (with --data-sync always; with a window, a second
// before it) downloads whole after the restart, and every file's item describes the
// content it serves (a replace the kill interrupted is there whole, or not at all).
// With a window the files are small: a save syncs what the window wrote, and a second
// is what the test allows it on a slow disk.
func TestKillDuringUploads(t *testing.T) {
	bin := killableBinary(t)
	for _, tt := range []struct {
		sync   string
		rounds int
		run    time.Duration
		grace  time.Duration
		spread int // file sizes: 1 KiB to 1 KiB + spread
	}{
		{sync: "always", rounds: 3, run: 700 * time.Millisecond, spread: 256 << 10},
		// With a window, what a crash may lose is the window plus a save in progress;
		// on a loaded machine one save has taken over a second, so uploads count as
		// kept only once 2 s old (and the load runs 4 s).
		{sync: "50ms", rounds: 2, run: 4 * time.Second, grace: 2 * time.Second, spread: 4 << 10},
	} {
		t.Run("data-sync="+tt.sync, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			var all []upload
			var cutoffs []time.Time // per round: uploads acknowledged before it must survive
			kept := func(u upload) bool {
				for i, c := range cutoffs {
					if strings.HasPrefix(u.name, fmt.Sprintf("r%d-", i)) {
						return tt.grace == 0 || u.at.Before(c)
					}
				}
				return false
			}
			var drive string
			for round := range tt.rounds + 1 {
				p := startProcess(t, bin, "--data-dir", dir, "--data-sync", tt.sync, "--log-level", "warn")
				if round == 0 {
					resp, err := http.Post(p.base+"/v1.0/users", "application/json", strings.NewReader(`{"accountEnabled":true,"displayName":"Ann",`+
						`"mailNickname":"ann","userPrincipalName":"ann@contoso.test","passwordProfile":{"password":"x-Y-z-123!aB"}}`))
					if err != nil {
						t.Fatal(err)
					}
					b, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					if resp.StatusCode != http.StatusCreated {
						t.Fatalf("create user: %d %s", resp.StatusCode, b)
					}
					drive = "/v1.0/users/" + gjson.GetBytes(b, "id").String() + "/drive"
				}
				if bad := checkUploads(t, p.base+drive, all, tt.spread, kept); len(bad) > 0 {
					t.Fatalf("restart %d: %d files wrong, the first: %s", round, len(bad), bad[0])
				}
				if round == tt.rounds {
					break
				}
				finished := make(chan struct{})
				var ups []upload
				go func() {
					ups = uploadLoad(p.base+drive, 6, fmt.Sprint("r", round), tt.spread)
					close(finished)
				}()
				select {
				case <-time.After(tt.run):
				case <-finished:
					t.Fatalf("round %d: the load stopped before the kill\nstderr:\n%s", round, p.stderr.String())
				}
				killedAt := time.Now()
				if err := p.cmd.Process.Kill(); err != nil {
					t.Fatal(err)
				}
				<-finished
				if err := <-p.done; err == nil || !strings.Contains(err.Error(), "killed") {
					t.Fatalf("round %d: the process ended with %v, want killed", round, err)
				}
				cutoffs = append(cutoffs, killedAt.Add(-tt.grace))
				all = append(all, ups...)
				n := 0
				for _, u := range ups {
					if u.acked && kept(u) {
						n++
					}
				}
				t.Logf("round %d: %d uploads tried, %d must survive", round, len(ups), n)
				if n == 0 {
					t.Fatalf("round %d: no upload to check", round)
				}
			}
		})
	}
}
