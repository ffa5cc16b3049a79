package emulator_test

import (
	"fmt"
	"io"
	"net/http"
	"runtime"
	"testing"

	"github.com/tidwall/gjson"

	"github.com/graph-emulator/graph-emulator/emulator/emulatortest"
)

// Benchmarks of file content over loopback HTTP: simple upload, upload session and
// download of 1 MB and 100 MB. Besides the throughput they report extra-B/op: what
// the process allocated per operation beyond the file's own bytes (which the in-memory
// content store keeps, once). It stays about one chunk (the store's 1 MiB chunks, the
// copy buffers), whatever the file's size.
//
//	go test ./emulator -run '^$' -bench 'Drive(Upload|Download)' -benchtime 3x

// pattern is a reader of n bytes that allocates nothing.
type pattern struct{ n, off int64 }

func (p *pattern) Read(b []byte) (int, error) {
	if p.off >= p.n {
		return 0, io.EOF
	}
	k := min(int64(len(b)), p.n-p.off)
	for i := range b[:k] {
		b[i] = byte(p.off + int64(i))
	}
	p.off += k
	return int(k), nil
}

var benchSizes = []int64{1 << 20, 100 << 20}

func sizeName(n int64) string { return fmt.Sprintf("%dMB", n>>20) }

// allocated returns the bytes the process has allocated so far.
func allocated() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.TotalAlloc
}

func benchDrive(b *testing.B) (*emulatortest.Server, string) {
	srv := emulatortest.New(b)
	u := gjsonString(srv.Do("POST", "/v1.0/users", `{"accountEnabled":true,"displayName":"Bench","mailNickname":"bench",`+
		`"userPrincipalName":"bench@contoso.test","passwordProfile":{"password":"x-Y-z-123!aB"}}`).Body, "id")
	return srv, srv.URL + "/v1.0/users/" + u + "/drive"
}

func put(b *testing.B, c *http.Client, url string, body io.Reader, n int64, headers ...string) *http.Response {
	req, err := http.NewRequest("PUT", url, body)
	if err != nil {
		b.Fatal(err)
	}
	req.ContentLength = n
	req.Header.Set("Content-Type", "application/octet-stream")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

func BenchmarkDriveUpload(b *testing.B) {
	for _, size := range benchSizes {
		b.Run(sizeName(size), func(b *testing.B) {
			srv, drive := benchDrive(b)
			b.SetBytes(size)
			start := allocated()
			for b.Loop() {
				if resp := put(b, srv.Client, drive+"/root:/bench.bin:/content", &pattern{n: size}, size); resp.StatusCode/100 != 2 {
					b.Fatalf("upload: %d", resp.StatusCode)
				}
			}
			b.ReportMetric(float64(allocated()-start)/float64(b.N)-float64(size), "extra-B/op")
		})
	}
}

func BenchmarkDriveUploadSession(b *testing.B) {
	const fragment = 10 << 20 // 32 × 320 KiB, the SDKs' recommended size
	for _, size := range benchSizes {
		b.Run(sizeName(size), func(b *testing.B) {
			srv, drive := benchDrive(b)
			b.SetBytes(size)
			start := allocated()
			for b.Loop() {
				r := srv.Do("POST", drive+"/root:/session.bin:/createUploadSession", `{"item":{"@microsoft.graph.conflictBehavior":"replace"}}`)
				url := gjsonString(r.Body, "uploadUrl")
				for from := int64(0); from < size; from += fragment {
					n := min(fragment, size-from)
					resp := put(b, srv.Client, url, &pattern{n: n, off: 0}, n,
						"Content-Range", fmt.Sprintf("bytes %d-%d/%d", from, from+n-1, size))
					if resp.StatusCode/100 != 2 {
						b.Fatalf("fragment at %d: %d", from, resp.StatusCode)
					}
				}
			}
			b.ReportMetric(float64(allocated()-start)/float64(b.N)-float64(size), "extra-B/op")
		})
	}
}

func BenchmarkDriveDownload(b *testing.B) {
	for _, size := range benchSizes {
		b.Run(sizeName(size), func(b *testing.B) {
			srv, drive := benchDrive(b)
			if resp := put(b, srv.Client, drive+"/root:/bench.bin:/content", &pattern{n: size}, size); resp.StatusCode != http.StatusCreated {
				b.Fatalf("upload: %d", resp.StatusCode)
			}
			url := gjsonString(srv.Do("GET", drive+"/root:/bench.bin:", "").Body, `@microsoft\.graph\.downloadUrl`)
			buf := make([]byte, 256<<10)
			b.SetBytes(size)
			start := allocated()
			for b.Loop() {
				resp, err := srv.Client.Get(url)
				if err != nil {
					b.Fatal(err)
				}
				n, _ := io.CopyBuffer(io.Discard, resp.Body, buf)
				resp.Body.Close()
				if n != size {
					b.Fatalf("downloaded %d bytes", n)
				}
			}
			b.ReportMetric(float64(allocated()-start)/float64(b.N), "extra-B/op")
		})
	}
}

func gjsonString(body []byte, path string) string { return gjson.GetBytes(body, path).String() }
