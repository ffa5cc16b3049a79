package compat_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	msgraph "github.com/microsoftgraph/msgraph-sdk-go"
	"github.com/microsoftgraph/msgraph-sdk-go-core/fileuploader"
	"github.com/microsoftgraph/msgraph-sdk-go/drives"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
)

// TestFiles drives a user's OneDrive with msgraph-sdk-go, as its docs show: a folder
// with a conflict behaviour, a simple upload by path (sent gzip-compressed, as the
// SDK's middleware sends bodies), a download through the 302 the SDK's redirect handler
// follows, and a large file through msgraph-sdk-go-core's LargeFileUploadTask over an
// upload session, in slices of 3 × 320 KiB.
func TestFiles(t *testing.T) {
	t.Parallel()
	eachTarget(t, func(t *testing.T, c *client) {
		client := msgraph.NewGraphServiceClient(c.adapter)
		ctx := context.Background()

		u, err := client.Users().Post(ctx, newSDKUser("filer"), nil)
		if err != nil {
			t.Fatalf("create user: %v", err)
		}
		drive, err := client.Users().ByUserId(*u.GetId()).Drive().Get(ctx, nil)
		if err != nil {
			t.Fatalf("get drive: %v", err)
		}
		items := client.Drives().ByDriveId(*drive.GetId()).Items()
		root, err := client.Drives().ByDriveId(*drive.GetId()).Root().Get(ctx, nil)
		if err != nil {
			t.Fatalf("get root: %v", err)
		}

		folder := models.NewDriveItem()
		name := "docs"
		folder.SetName(&name)
		folder.SetFolder(models.NewFolder())
		folder.SetAdditionalData(map[string]any{"@microsoft.graph.conflictBehavior": "rename"})
		docs, err := items.ByDriveItemId(*root.GetId()).Children().Post(ctx, folder, nil)
		if err != nil {
			t.Fatalf("create folder: %v", err)
		}
		again, err := items.ByDriveItemId(*root.GetId()).Children().Post(ctx, folder, nil)
		if err != nil || *again.GetName() != "docs 1" {
			t.Fatalf("create folder again (rename): %v %v", again, err)
		}

		small, err := items.ByDriveItemId("root:/docs/small.txt:").Content().Put(ctx, []byte("hello from the SDK"), nil)
		if err != nil {
			t.Fatalf("simple upload: %v", err)
		}
		if *small.GetSize() != 18 || *small.GetName() != "small.txt" || *small.GetParentReference().GetId() != *docs.GetId() {
			t.Fatalf("simple upload: size %d, name %s", *small.GetSize(), *small.GetName())
		}
		got, err := items.ByDriveItemId(*small.GetId()).Content().Get(ctx, nil)
		if err != nil || string(got) != "hello from the SDK" {
			t.Fatalf("download: %q %v", got, err)
		}

		// A large file through an upload session.
		data := make([]byte, 3<<20+12345)
		_, _ = rand.Read(data)
		path := filepath.Join(t.TempDir(), "big.bin")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		props := models.NewDriveItemUploadableProperties()
		props.SetAdditionalData(map[string]any{"@microsoft.graph.conflictBehavior": "replace"})
		body := drives.NewItemItemsItemCreateUploadSessionPostRequestBody()
		body.SetItem(props)
		session, err := items.ByDriveItemId("root:/docs/big.bin:").CreateUploadSession().Post(ctx, body, nil)
		if err != nil {
			t.Fatalf("createUploadSession: %v", err)
		}
		task := fileuploader.NewLargeFileUploadTask[models.DriveItemable](c.adapter, session, f, 3*320<<10,
			models.CreateDriveItemFromDiscriminatorValue, errorMapping)
		var progress []int64
		res := task.Upload(func(current, total int64) { progress = append(progress, current) })
		if !res.GetUploadSucceeded() {
			t.Fatalf("upload: %v", res.GetResponseErrors())
		}
		item := res.GetItemResponse()
		sum := sha256.Sum256(data)
		if item == nil || *item.GetName() != "big.bin" || *item.GetSize() != int64(len(data)) ||
			*item.GetFile().GetHashes().GetSha256Hash() != strings.ToUpper(hex.EncodeToString(sum[:])) {
			t.Fatalf("uploaded item: %v", item)
		}
		if len(progress) != 4 {
			t.Errorf("%d slices reported, want 4", len(progress))
		}
		got, err = items.ByDriveItemId(*item.GetId()).Content().Get(ctx, nil)
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("download of the large file: %d bytes, %v", len(got), err)
		}

		kids, err := items.ByDriveItemId(*docs.GetId()).Children().Get(ctx, nil)
		if err != nil {
			t.Fatalf("children: %v", err)
		}
		var names []string
		for _, k := range kids.GetValue() {
			names = append(names, *k.GetName())
		}
		if !slices.Equal(names, []string{"small.txt", "big.bin"}) {
			t.Fatalf("children: %v", names)
		}
	})
}
