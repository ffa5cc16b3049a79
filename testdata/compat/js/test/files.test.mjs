// Files with the JavaScript Graph client over HTTPS (the client follows only https://
// URLs, and an uploadUrl is one): a simple upload and a download through the 302, and
// large files through OneDriveLargeFileUploadTask (/me, as its docs show) and
// LargeFileUploadTask. The client runs in a child process that trusts the emulator's CA
// (see https.test.mjs for why).

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";

import { emulatorBinary, startEmulator } from "../support/emulator.mjs";

const clientScript = join(dirname(fileURLToPath(import.meta.url)), "..", "support", "https-client.mjs");

function runClient(base, ca, params) {
  const env = { ...process.env, GRAPH_EMULATOR_URL: base, NODE_EXTRA_CA_CERTS: ca };
  delete env.NODE_TEST_CONTEXT;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [clientScript, JSON.stringify(params)], { env, timeout: 60_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err) {
        reject(new Error(`client ${JSON.stringify(params)} failed: ${err.message}\n${stderr}`));
        return;
      }
      resolve(JSON.parse(stdout));
    });
  });
}

describe("files with @microsoft/microsoft-graph-client over HTTPS", () => {
  let bin;
  let cleanup = () => {};
  before(() => {
    ({ bin, cleanup } = emulatorBinary());
  });
  after(() => cleanup());

  test("simple upload, download, and the large-file upload tasks", async (t) => {
    const dir = mkdtempSync(join(tmpdir(), "graph-emulator-files-"));
    const ca = join(dir, "ca.pem");
    const me = "0f2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d";
    const emu = await startEmulator(bin, ["--tls", "--tls-ca", ca, "--addr", "127.0.0.1:0", "--me", me]);
    t.after(async () => {
      const code = await emu.stop();
      rmSync(dir, { recursive: true, force: true });
      assert.equal(code, 0, `graph-emulator exited with ${code}:\n${emu.stderr()}`);
    });
    const size = 3 * 1024 * 1024 + 777;
    const rangeSize = 320 * 1024 * 4;
    const { result, wire } = await runClient(emu.url, ca, { scenario: "files", me, size, rangeSize, customHosts: ["127.0.0.1"] });
    assert.equal(result.error, undefined, JSON.stringify(result.error));
    for (const x of wire) {
      assert.ok(x.status >= 200 && x.status < 400, `${x.method} ${x.url}: status ${x.status}`);
    }
    assert.deepEqual(result.small, { name: "small.txt", size: 13, back: "hello from js" });
    assert.equal(result.big.name, "big.bin");
    assert.equal(result.big.size, size);
    assert.equal(result.big.sha256, result.expectedSha256);
    assert.equal(result.bigBackSha256, result.expectedSha256);
    assert.equal(result.progress.length, Math.ceil(size / rangeSize));
    assert.deepEqual(result.second, { name: "second.bin", size });
    assert.deepEqual(result.children, [["small.txt", 13], ["big.bin", size], ["second.bin", size]]);
    const fragments = wire.filter((x) => x.method === "PUT" && x.url.includes("/_emulator/upload/"));
    assert.equal(fragments.length, 2 * Math.ceil(size / rangeSize));
    const downloads = wire.filter((x) => x.url.includes("/_emulator/content/"));
    assert.equal(downloads.length, 2, "the downloads did not follow the 302 to the download URL");
  });
});
