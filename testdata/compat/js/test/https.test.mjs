// The JavaScript Graph client over HTTPS against the built graph-emulator binary, started
// with --tls --tls-ca <tmp>/ca.pem --page-size 2: PageIterator across several pages to the
// end, the token and client-request-id the client sends only to https hosts in customHosts,
// links on the host the client called, and a clean failure when the CA is not trusted.
//
// How Node trusts the CA: NODE_EXTRA_CA_CERTS is read only when a node process starts, and
// each test makes a new CA when it starts its emulator. So the client runs in a child
// process, `node support/https-client.mjs`, started with NODE_EXTRA_CA_CERTS=<tmp>/ca.pem
// (or without it, for the negative case); it prints what it observed as JSON and this file
// asserts. Nothing else is needed: `node --test` (and run.sh) run this file like any other.

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";

import { emulatorBinary, startEmulator } from "../support/emulator.mjs";

const clientScript = join(dirname(fileURLToPath(import.meta.url)), "..", "support", "https-client.mjs");
const set = "office365ServicesUserCounts";
const guid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Runs one scenario of support/https-client.mjs against base in a new node process; with
 * ca, the process trusts it through NODE_EXTRA_CA_CERTS, without it the variable is unset.
 * Resolves to the { result, wire } the script printed.
 */
function runClient(base, ca, params) {
  const env = { ...process.env, GRAPH_EMULATOR_URL: base };
  delete env.NODE_EXTRA_CA_CERTS;
  delete env.NODE_TEST_CONTEXT; // set by node --test for its own children
  if (ca) {
    env.NODE_EXTRA_CA_CERTS = ca;
  }
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [clientScript, JSON.stringify(params)],
      { env, timeout: 30_000 },
      (err, stdout, stderr) => {
        if (err) {
          reject(new Error(`client ${JSON.stringify(params)} failed: ${err.message}\n${stderr}`));
          return;
        }
        resolve(JSON.parse(stdout));
      },
    );
  });
}

/** Asserts that no request of wire failed at the fetch level and that each got a status. */
function assertAnswered(wire) {
  assert.ok(wire.length > 0, "the client sent nothing");
  for (const x of wire) {
    assert.equal(x.error, undefined, `${x.method} ${x.url}: ${x.error} (${x.cause})`);
    assert.ok(x.status >= 200 && x.status < 300, `${x.method} ${x.url}: status ${x.status}`);
  }
}

/**
 * Asserts that every request carried the token and a client-request-id of its own, and
 * that the emulator answered with that client-request-id (so it received it) beside a
 * request-id of its own.
 */
function assertTokenAndIds(wire) {
  const sent = new Set();
  for (const x of wire) {
    const what = `${x.method} ${x.url}`;
    assert.equal(x.headers.authorization, "Bearer x", `${what}: Authorization`);
    assert.match(x.headers["client-request-id"] ?? "", guid, `${what}: client-request-id`);
    assert.ok(x.headers.sdkversion?.startsWith("graph-js/"), `${what}: SdkVersion ${x.headers.sdkversion}`);
    assert.equal(x.clientRequestId, x.headers["client-request-id"], `${what}: echoed client-request-id`);
    assert.match(x.requestId ?? "", guid, `${what}: request-id`);
    assert.notEqual(x.requestId, x.clientRequestId, `${what}: request-id equals client-request-id`);
    sent.add(x.headers["client-request-id"]);
  }
  assert.equal(sent.size, wire.length, "client-request-id reused across requests");
}

/**
 * Asserts a walk of n entities (teamsActive 100 + i, made in that order) with page size
 * 2: the first page and its absolute https nextLink on base, each item once and in
 * creation order, and one GET per page, the later ones on the links the emulator gave.
 */
function assertPagedToTheEnd(base, { result, wire }, n) {
  assert.equal(result.error, undefined, JSON.stringify(result.error));
  assert.equal(result.created.length, n);
  for (const c of result.created) {
    assert.equal(c.context, `${base}/v1.0/$metadata#${set}/$entity`);
  }
  assert.equal(result.first.context, `${base}/v1.0/$metadata#${set}`);
  assert.equal(result.first.count, 2);
  assert.ok(
    result.first.nextLink?.startsWith(`${base}/v1.0/${set}?`),
    `first page @odata.nextLink ${result.first.nextLink}, want an absolute link on ${base}`,
  );
  assert.deepEqual(
    result.iterated,
    result.created.map((c, i) => ({ id: c.id, teamsActive: 100 + i })),
  );
  assert.equal(result.complete, true, "PageIterator not complete");
  assert.equal(result.deltaLink, null);

  const gets = wire.filter((x) => x.method === "GET");
  assert.equal(gets.length, Math.ceil(n / 2), `${gets.length} pages fetched: ${gets.map((x) => x.url)}`);
  assert.equal(gets[0].url, `${base}/v1.0/${set}`);
  assert.equal(gets[1].url, result.first.nextLink, "the second page was not fetched from the first nextLink");
  for (const x of gets.slice(1)) {
    assert.ok(x.url.startsWith(`${base}/v1.0/${set}?`), `page fetched from ${x.url}`);
    assert.match(x.url, /[?&]\$skiptoken=/, `nextLink without $skiptoken: ${x.url}`);
  }
  assert.equal(new Set(gets.map((x) => x.url)).size, gets.length, "a page was fetched twice");
}

describe("@microsoft/microsoft-graph-client over HTTPS against graph-emulator", () => {
  let bin;
  let cleanup = () => {};
  before(() => {
    ({ bin, cleanup } = emulatorBinary());
  });
  after(() => cleanup());

  /**
   * Starts a fresh emulator serving HTTPS with pages of 2 and resolves to { base, ca, emu }:
   * base is https://127.0.0.1:PORT and ca the CA certificate file it wrote. The emulator
   * is stopped, and must exit cleanly, when the test ends.
   */
  async function setup(t) {
    const dir = mkdtempSync(join(tmpdir(), "graph-emulator-https-"));
    const ca = join(dir, "ca.pem");
    const emu = await startEmulator(bin, ["--tls", "--tls-ca", ca, "--addr", "127.0.0.1:0", "--page-size", "2"]);
    t.after(async () => {
      const code = await emu.stop();
      rmSync(dir, { recursive: true, force: true });
      assert.equal(code, 0, `graph-emulator exited with ${code}:\n${emu.stderr()}`);
    });
    assert.match(emu.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    return { base: emu.url, ca, emu };
  }

  test("PageIterator pages to the end with customHosts: token and client-request-id on every request", async (t) => {
    const { base, ca } = await setup(t);
    const out = await runClient(base, ca, { scenario: "page", create: 5, customHosts: ["127.0.0.1"] });
    assertAnswered(out.wire);
    assertPagedToTheEnd(base, out, 5);
    assert.equal(out.wire.length, 5 + 3, "5 POSTs and 3 page GETs");
    assertTokenAndIds(out.wire);
  });

  test("PageIterator paused by its callback resumes on the next page", async (t) => {
    const { base, ca } = await setup(t);
    const out = await runClient(base, ca, { scenario: "page", create: 5, pauseAfter: 3, customHosts: ["127.0.0.1"] });
    assertAnswered(out.wire);
    // Paused after the first item of the second page: not complete, nothing fetched twice.
    assert.deepEqual(out.result.paused, { count: 3, complete: false });
    assertPagedToTheEnd(base, out, 5);
    assertTokenAndIds(out.wire);
  });

  test("links follow the host the client called (localhost)", async (t) => {
    const { base, ca } = await setup(t);
    const local = base.replace("https://127.0.0.1:", "https://localhost:");
    const out = await runClient(local, ca, { scenario: "page", create: 3, customHosts: ["localhost"] });
    assertAnswered(out.wire);
    assertPagedToTheEnd(local, out, 3);
    assertTokenAndIds(out.wire);
  });

  test("without customHosts the client pages but sends no token and no client-request-id", async (t) => {
    const { base, ca } = await setup(t);
    const out = await runClient(base, ca, { scenario: "page", create: 3 });
    assertAnswered(out.wire);
    assertPagedToTheEnd(base, out, 3);
    for (const x of out.wire) {
      const what = `${x.method} ${x.url}`;
      assert.equal(x.headers.authorization, undefined, `${what}: Authorization sent to a host not in customHosts`);
      assert.equal(x.headers["client-request-id"], undefined, `${what}: client-request-id sent`);
      // Graph echoes its own request-id when the client sent none.
      assert.match(x.requestId ?? "", guid, `${what}: request-id`);
      assert.equal(x.clientRequestId, x.requestId, `${what}: client-request-id without one sent`);
    }
  });

  test("without the CA trusted the request fails and the emulator logs the handshake", async (t) => {
    const { base, ca, emu } = await setup(t);
    const out = await runClient(base, null, { scenario: "get", customHosts: ["127.0.0.1"] });
    assert.equal(out.result.error?.message, "fetch failed", JSON.stringify(out.result));
    assert.equal(out.result.error.statusCode, -1);
    assert.equal(out.wire.length, 1);
    assert.equal(out.wire[0].status, undefined);
    assert.equal(out.wire[0].cause, "UNABLE_TO_VERIFY_LEAF_SIGNATURE");
    // The server side of the refused handshake: README "When a client does not trust the emulator".
    const deadline = Date.now() + 5_000;
    while (!emu.stderr().includes("TLS handshake error") && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.match(emu.stderr(), /level=WARN .*TLS handshake error from 127\.0\.0\.1:/);
    // The same client with the CA trusted gets through to the same emulator.
    const ok = await runClient(base, ca, { scenario: "get", customHosts: ["127.0.0.1"] });
    assert.deepEqual(ok.result, { count: 0 });
    assertAnswered(ok.wire);
    assertTokenAndIds(ok.wire);
  });
});
