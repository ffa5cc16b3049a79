// A users delta round with the JavaScript Graph client over HTTPS (the client follows
// only https:// links): /users/delta with $select walked by PageIterator across pages of
// 2 to its deltaLink, then the deltaLink, as the client hands it over, after a create, an
// update and a delete. The client runs in a child process that trusts the emulator's CA
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

/** Runs a scenario of support/https-client.mjs against base, trusting ca. */
function runClient(base, ca, params) {
  const env = { ...process.env, GRAPH_EMULATOR_URL: base, NODE_EXTRA_CA_CERTS: ca };
  delete env.NODE_TEST_CONTEXT;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [clientScript, JSON.stringify(params)], { env, timeout: 30_000 }, (err, stdout, stderr) => {
      if (err) {
        reject(new Error(`client ${JSON.stringify(params)} failed: ${err.message}\n${stderr}`));
        return;
      }
      resolve(JSON.parse(stdout));
    });
  });
}

describe("delta query with @microsoft/microsoft-graph-client over HTTPS", () => {
  let bin;
  let cleanup = () => {};
  before(() => {
    ({ bin, cleanup } = emulatorBinary());
  });
  after(() => cleanup());

  test("PageIterator walks users/delta to its deltaLink, which then lists the changes", async (t) => {
    const dir = mkdtempSync(join(tmpdir(), "graph-emulator-delta-"));
    const ca = join(dir, "ca.pem");
    const emu = await startEmulator(bin, ["--tls", "--tls-ca", ca, "--addr", "127.0.0.1:0", "--page-size", "2"]);
    t.after(async () => {
      const code = await emu.stop();
      rmSync(dir, { recursive: true, force: true });
      assert.equal(code, 0, `graph-emulator exited with ${code}:\n${emu.stderr()}`);
    });
    const base = emu.url;
    const { result, wire } = await runClient(base, ca, { scenario: "delta", create: 5, customHosts: ["127.0.0.1"] });
    assert.equal(result.error, undefined, JSON.stringify(result.error));
    for (const x of wire) {
      assert.ok(x.status >= 200 && x.status < 300, `${x.method} ${x.url}: status ${x.status}`);
    }

    assert.equal(result.first.context, `${base}/v1.0/$metadata#users`);
    assert.equal(result.first.count, 2);
    assert.ok(result.first.nextLink?.startsWith(`${base}/v1.0/users/delta?$skiptoken=`), result.first.nextLink);
    assert.deepEqual(
      result.walked,
      result.ids.map((id, i) => ({ id, displayName: `u${i}` })),
    );
    assert.equal(result.complete, true, "PageIterator not complete");
    assert.ok(result.deltaLink?.startsWith(`${base}/v1.0/users/delta?$deltatoken=`), result.deltaLink);
    const pages = wire.filter((x) => x.method === "GET" && x.url.includes("/users/delta"));
    assert.equal(pages.length, 3 + 2, pages.map((x) => x.url).join("\n"));
    assert.equal(pages[3].url, result.deltaLink, "the deltaLink was not sent as given");

    const byId = Object.fromEntries(result.changes.map((c) => [c.id, c]));
    assert.equal(result.changes.length, 3, JSON.stringify(result.changes));
    assert.deepEqual(byId[result.added], { id: result.added, displayName: "added" });
    assert.deepEqual(byId[result.ids[0]], { id: result.ids[0], displayName: "Renamed" });
    assert.deepEqual(byId[result.ids[1]], { id: result.ids[1], "@removed": { reason: "deleted" } });
    assert.ok(result.nextDeltaLink?.startsWith(`${base}/v1.0/users/delta?$deltatoken=`), result.nextDeltaLink);
  });
});
