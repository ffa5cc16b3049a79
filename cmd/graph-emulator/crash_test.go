package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// binEnv names a prebuilt graph-emulator binary; without it the tests that need one
// build it.
const binEnv = "GRAPH_EMULATOR_BIN"

// killableBinary is emulatorBinary for a test that kills the binary under load: it runs
// in parallel, and not with -short nor on Windows (no SIGKILL).
func killableBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("kills a process under load: not with -short")
	}
	if runtime.GOOS == "windows" {
		t.Skip("no SIGKILL on Windows")
	}
	t.Parallel()
	return emulatorBinary(t)
}

// emulatorBinary returns $GRAPH_EMULATOR_BIN, or builds this command.
func emulatorBinary(t *testing.T) string {
	t.Helper()
	if bin := os.Getenv(binEnv); bin != "" {
		return bin
	}
	bin := filepath.Join(t.TempDir(), "graph-emulator")
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	build := exec.CommandContext(t.Context(), "go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// process is a running graph-emulator.
type process struct {
	cmd    *exec.Cmd
	base   string
	stderr *logWatch
	done   chan error
}

// startProcess runs bin with args and reads its base URL; the process is killed when
// the test ends if it still runs.
func startProcess(t *testing.T, bin string, args ...string) *process {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"--addr", "127.0.0.1:0"}, args...)...)
	cmd.Env = childEnv()
	p := &process{cmd: cmd, stderr: &logWatch{}, done: make(chan error, 1)}
	cmd.Stderr = p.stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.kill)
	lines := make(chan string, 1)
	go func() {
		r := bufio.NewReader(stdout)
		line, _ := r.ReadString('\n')
		lines <- strings.TrimSpace(line)
		_, _ = io.Copy(io.Discard, r)
		p.done <- cmd.Wait()
	}()
	select {
	case p.base = <-lines:
	case <-time.After(waitLimit):
		t.Fatalf("no base URL on stdout\nstderr:\n%s", p.stderr.String())
	}
	if !strings.HasPrefix(p.base, "http://127.0.0.1:") {
		t.Fatalf("first stdout line %q\nstderr:\n%s", p.base, p.stderr.String())
	}
	return p
}

// childEnv is the environment without GRAPH_EMULATOR_ variables.
func childEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, envPrefix) {
			env = append(env, kv)
		}
	}
	return env
}

// kill stops the process with SIGKILL, if it still runs.
func (p *process) kill() { _ = p.cmd.Process.Kill() }

// ack is a create the emulator acknowledged with 201.
type ack struct {
	id, marker string
	at         time.Time
}

// load POSTs entities from several goroutines until the emulator stops answering (it
// is killed) and returns every acknowledged create.
func load(base string, goroutines int, round string) []ack {
	tr := &http.Transport{MaxIdleConnsPerHost: goroutines}
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	var (
		mu   sync.Mutex
		acks []ack
		wg   sync.WaitGroup
	)
	for g := range goroutines {
		wg.Go(func() {
			for i := 0; ; i++ {
				marker := fmt.Sprintf("%s-%d-%d", round, g, i)
				body := fmt.Sprintf(`{"teamsActive":%d,"reportPeriod":%q}`, i, marker)
				resp, err := c.Post(base+"/v1.0/office365ServicesUserCounts", "application/json", strings.NewReader(body))
				if err != nil {
					return // killed
				}
				b, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				if err != nil || resp.StatusCode != http.StatusCreated {
					return
				}
				var e struct{ ID string }
				if json.Unmarshal(b, &e) != nil || e.ID == "" {
					return
				}
				mu.Lock()
				acks = append(acks, ack{id: e.ID, marker: marker, at: time.Now()})
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return acks
}

// missing returns the acknowledged creates the emulator at base does not serve with
// their body.
func missing(t *testing.T, base string, acks []ack) []ack {
	t.Helper()
	c := &http.Client{Timeout: waitLimit}
	var out []ack
	for _, a := range acks {
		resp, err := c.Get(base + "/v1.0/office365ServicesUserCounts/" + a.id)
		if err != nil {
			t.Fatalf("GET: %v", err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !bytes.Contains(b, []byte(`"`+a.marker+`"`)) {
			out = append(out, a)
		}
	}
	return out
}

// TestKillDuringWrites runs the binary with --data-dir, kills it with SIGKILL while
// goroutines create entities, and restarts it, several times: each restart opens the
// data file, and every create acknowledged before the kill is served, with its body
// (with --data-sync always). With a flush window, creates acknowledged a second before
// the kill are.
func TestKillDuringWrites(t *testing.T) {
	bin := killableBinary(t)
	for _, tt := range []struct {
		sync   string
		rounds int
		run    time.Duration // how long the load runs before the kill
		// grace: creates acknowledged within grace of the kill may be lost.
		grace time.Duration
	}{
		{sync: "always", rounds: 3, run: 700 * time.Millisecond},
		{sync: "50ms", rounds: 2, run: 4 * time.Second, grace: 2 * time.Second}, // a save under load can take over a second
	} {
		t.Run("data-sync="+tt.sync, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			var kept []ack // creates that must survive
			for round := range tt.rounds + 1 {
				p := startProcess(t, bin, "--data-dir", dir, "--data-sync", tt.sync, "--log-level", "warn")
				if lost := missing(t, p.base, kept); len(lost) > 0 {
					t.Fatalf("restart %d: %d of %d acknowledged creates lost, the first %+v", round, len(lost), len(kept), lost[0])
				}
				if round == tt.rounds {
					break
				}
				finished := make(chan struct{})
				var acks []ack
				go func() {
					acks = load(p.base, 6, fmt.Sprint("r", round))
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
				n := 0
				for _, a := range acks {
					// Without a window, an answer read after the kill began was
					// still sent before the process died: it counts too.
					if tt.grace == 0 || a.at.Before(killedAt.Add(-tt.grace)) {
						kept = append(kept, a)
						n++
					}
				}
				t.Logf("round %d: %d creates acknowledged, %d must survive", round, len(acks), n)
				if n == 0 {
					t.Fatalf("round %d: no create to check", round)
				}
			}
		})
	}
}

// TestBinaryDataDirErrors: a data file that is not one, or one in use, stops the
// binary at start with exit status 2 and a message naming the file.
func TestBinaryDataDirErrors(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("file locks differ on Windows")
	}
	t.Parallel()
	bin := emulatorBinary(t)
	damaged := t.TempDir()
	if err := os.WriteFile(filepath.Join(damaged, "graph-emulator.db"), []byte("not a data file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	busy := t.TempDir()
	startProcess(t, bin, "--data-dir", busy)
	for _, tt := range []struct {
		name, dir, want string
	}{
		{"damaged", damaged, "damaged or not a graph-emulator data file"},
		{"in use", busy, "in use by another process"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cmd := exec.CommandContext(t.Context(), bin, "--addr", "127.0.0.1:0", "--data-dir", tt.dir)
			cmd.Env = childEnv()
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != 2 {
				t.Fatalf("exit: %v, want status 2\n%s", err, stderr.String())
			}
			if !strings.Contains(stderr.String(), tt.want) || !strings.Contains(stderr.String(), filepath.Join(tt.dir, "graph-emulator.db")) {
				t.Errorf("stderr does not say %q with the file's name:\n%s", tt.want, stderr.String())
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout = %q, want nothing", stdout.String())
			}
		})
	}
}
