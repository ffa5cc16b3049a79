package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// BenchmarkStartup measures what a user waits for: from exec of the binary (built once,
// with Graph's embedded schemas and no flags) to the first answered GET /v1.0/users. It
// reports the median (ready-ms) and the resident memory after the answer (rss-MB).
func BenchmarkStartup(b *testing.B) {
	if testing.Short() {
		b.Skip("builds the binary")
	}
	bin := filepath.Join(b.TempDir(), "graph-emulator")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Skipf("go build: %v\n%s", err, out)
	}
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 5 * time.Second}
	var ready []time.Duration
	rss := 0.0
	for b.Loop() {
		d, mb := startOnce(b, bin, client)
		ready = append(ready, d)
		rss = max(rss, mb)
	}
	sort.Slice(ready, func(i, j int) bool { return ready[i] < ready[j] })
	b.ReportMetric(float64(ready[len(ready)/2].Microseconds())/1000, "ready-ms")
	if rss > 0 {
		b.ReportMetric(rss, "rss-MB")
	}
}

// startOnce execs the binary, waits for its base URL and the first 200 of GET
// /v1.0/users, reads its resident memory and stops it.
func startOnce(b *testing.B, bin string, client *http.Client) (time.Duration, float64) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	start := time.Now()
	cmd := exec.CommandContext(ctx, bin, "--addr=127.0.0.1:0")
	cmd.Stderr = io.Discard
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() {
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()
	}()
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		b.Fatalf("no base URL: %v", err)
	}
	base := strings.TrimSpace(line)
	for {
		resp, err := client.Get(base + "/v1.0/users")
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b.Fatalf("GET /v1.0/users = %s", resp.Status)
			}
			break
		}
		if ctx.Err() != nil {
			b.Fatalf("no answer: %v", err)
		}
		time.Sleep(time.Millisecond)
	}
	d := time.Since(start)
	return d, rssMB(cmd.Process.Pid)
}

// rssMB returns a process's resident memory in MB from /proc, or 0 where there is none.
func rssMB(pid int) float64 {
	status, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(status)) {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
			return float64(kb) / 1024
		}
	}
	return 0
}

// BenchmarkRunReady measures run in-process, from the call to the first answered GET
// /v1.0/users: flag parsing, schemas (decoded by the first iteration, shared after it),
// emulator.New, the listener.
func BenchmarkRunReady(b *testing.B) {
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 5 * time.Second}
	for b.Loop() {
		ctx, cancel := context.WithCancel(context.Background())
		pr, pw := io.Pipe()
		done := make(chan error, 1)
		go func() {
			err := run(ctx, []string{"--addr=127.0.0.1:0", "--log-level=error"}, env(nil), pw, io.Discard)
			pw.CloseWithError(err)
			done <- err
		}()
		sc := bufio.NewScanner(pr)
		if !sc.Scan() {
			b.Fatalf("no base URL: %v", sc.Err())
		}
		go func() { _, _ = io.Copy(io.Discard, pr) }()
		resp, err := client.Get(sc.Text() + "/v1.0/users")
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("GET /v1.0/users = %s", resp.Status)
		}
		cancel()
		if err := <-done; err != nil {
			b.Fatal(err)
		}
	}
}
