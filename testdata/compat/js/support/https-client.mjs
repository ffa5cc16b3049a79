// The client half of test/https.test.mjs, run in a child process of its own:
//
//   GRAPH_EMULATOR_URL=https://127.0.0.1:PORT NODE_EXTRA_CA_CERTS=ca.pem \
//     node support/https-client.mjs '{"scenario":"page", ...}'
//
// Node reads NODE_EXTRA_CA_CERTS only when a process starts, and the emulator's CA is made
// when the emulator starts, after the test process: so every run of the JavaScript Graph
// client that must trust the CA is a new `node` process started with the variable set (and
// one started without it shows that the client then fails). The test asserts; this script
// only acts and reports. It prints one JSON line, { result, wire }:
//   result  what the scenario observed (or { error } when the client threw)
//   wire    every request the client handed to fetch, after all of its middleware:
//           method, url, the headers it sent (names lower-case), and the response status
//           and ids, or the error fetch failed with (and its cause's code).

import { createHash, randomBytes } from "node:crypto";

import { Client, LargeFileUploadTask, OneDriveLargeFileUploadTask, PageIterator, ResponseType } from "@microsoft/microsoft-graph-client";

const set = "/office365ServicesUserCounts";

/** Wraps the global fetch, which the client's HTTPMessageHandler calls, to record the wire. */
function recordWire() {
  const wire = [];
  const fetchFn = globalThis.fetch;
  globalThis.fetch = async (input, init = {}) => {
    const url = typeof input === "string" ? input : input.url;
    const headers = {};
    for (const [k, v] of new Headers(init.headers ?? {})) {
      headers[k.toLowerCase()] = v;
    }
    const x = { method: init.method ?? "GET", url, headers };
    wire.push(x);
    try {
      const res = await fetchFn(input, init);
      x.status = res.status;
      x.requestId = res.headers.get("request-id");
      x.clientRequestId = res.headers.get("client-request-id");
      return res;
    } catch (err) {
      x.error = err.message;
      x.cause = err.cause?.code ?? null;
      throw err;
    }
  };
  return wire;
}

/** The client as the README shows it; customHosts only when the scenario lists hosts. */
function newClient(base, customHosts) {
  const options = {
    baseUrl: base + "/",
    defaultVersion: "v1.0",
    authProvider: (done) => done(null, "x"),
  };
  if (customHosts && customHosts.length > 0) {
    options.customHosts = new Set(customHosts); // host names only: no scheme, no port
  }
  return Client.init(options);
}

const scenarios = {
  /**
   * Creates `create` entities (teamsActive 100, 101, ...), reads the first page of the
   * collection and walks it to the end with PageIterator. With pauseAfter, the callback
   * stops after that many items and resume() finishes the walk.
   */
  async page(client, { create, pauseAfter }) {
    const created = [];
    for (let i = 0; i < create; i++) {
      const e = await client.api(set).post({ teamsActive: 100 + i });
      created.push({ id: e.id, context: e["@odata.context"] });
    }
    const first = await client.api(set).get();
    const iterated = [];
    let paused = null;
    const iterator = new PageIterator(client, first, (item) => {
      iterated.push({ id: item.id, teamsActive: item.teamsActive });
      return pauseAfter === undefined || iterated.length !== pauseAfter;
    });
    await iterator.iterate();
    if (pauseAfter !== undefined) {
      paused = { count: iterated.length, complete: iterator.isComplete() };
      await iterator.resume();
    }
    return {
      created,
      first: {
        context: first["@odata.context"],
        nextLink: first["@odata.nextLink"] ?? null,
        count: first.value.length,
      },
      iterated,
      paused,
      complete: iterator.isComplete(),
      deltaLink: iterator.getDeltaLink() ?? null,
    };
  },

  /**
   * A round of users delta: creates `create` users, reads /users/delta with $select and
   * walks it with PageIterator to its deltaLink; then creates a user, renames the first
   * and deletes the second, and follows the deltaLink as the client hands it over, then
   * its nextLinks.
   */
  async delta(client, { create }) {
    const user = (n) => ({
      accountEnabled: true,
      displayName: n,
      mailNickname: n,
      userPrincipalName: `${n}@contoso.test`,
      passwordProfile: { password: "x-Y-z-123" },
    });
    const ids = [];
    for (let i = 0; i < create; i++) {
      ids.push((await client.api("/users").post(user(`u${i}`))).id);
    }
    const first = await client.api("/users/delta").select("displayName").get();
    const walked = [];
    const iterator = new PageIterator(client, first, (item) => {
      walked.push(item);
      return true;
    });
    await iterator.iterate();
    const deltaLink = iterator.getDeltaLink() ?? null;
    const added = (await client.api("/users").post(user("added"))).id;
    await client.api(`/users/${ids[0]}`).patch({ displayName: "Renamed" });
    await client.api(`/users/${ids[1]}`).delete();
    // The changes page too (pages of 2): follow nextLinks to the next deltaLink.
    let page = await client.api(deltaLink).get();
    const changes = [...page.value];
    while (page["@odata.nextLink"]) {
      page = await client.api(page["@odata.nextLink"]).get();
      changes.push(...page.value);
    }
    return {
      ids,
      added,
      first: { context: first["@odata.context"], nextLink: first["@odata.nextLink"] ?? null, count: first.value.length },
      walked,
      complete: iterator.isComplete(),
      deltaLink,
      changes,
      nextDeltaLink: page["@odata.deltaLink"] ?? null,
    };
  },

  /**
   * Files of the signed-in user (the emulator runs with --me me, which makes the user): a
   * simple upload by path, a download through the 302, a file of `size` bytes through
   * OneDriveLargeFileUploadTask (the /me helper, slices of `rangeSize`), and one through
   * LargeFileUploadTask with a session made on /users/{id}/drive.
   */
  async files(client, { me, size, rangeSize }) {
    const sha = (b) => createHash("sha256").update(b).digest("hex").toUpperCase();
    const small = await client.api("/me/drive/root:/js/small.txt:/content").put("hello from js");
    const smallBack = Buffer.from(await client.api(`/me/drive/items/${small.id}/content`).responseType(ResponseType.ARRAYBUFFER).get());

    const data = randomBytes(size);
    const progress = [];
    const task = await OneDriveLargeFileUploadTask.create(client, new Uint8Array(data), {
      fileName: "big.bin",
      path: "/js",
      rangeSize,
      conflictBehavior: "replace",
      uploadEventHandlers: { progress: (range) => progress.push([range.minValue, range.maxValue]) },
    });
    const uploaded = await task.upload();
    const big = uploaded.responseBody;
    const bigBack = Buffer.from(await client.api(`/me/drive/items/${big.id}/content`).responseType(ResponseType.ARRAYBUFFER).get());

    const session = await LargeFileUploadTask.createUploadSession(client, `/users/${me}/drive/root:/js/second.bin:/createUploadSession`, {
      item: { "@microsoft.graph.conflictBehavior": "rename" },
    });
    const second = await new LargeFileUploadTask(client, { content: data, name: "second.bin", size: data.length,
      sliceFile: (r) => data.subarray(r.minValue, r.maxValue + 1) }, session, { rangeSize }).upload();
    const children = await client.api("/me/drive/root:/js:/children").select("name,size").get();
    return {
      small: { name: small.name, size: small.size, back: smallBack.toString() },
      big: { name: big.name, size: big.size, sha256: big.file?.hashes?.sha256Hash ?? null, location: uploaded.location ?? null },
      expectedSha256: sha(data),
      bigBackSha256: sha(bigBack),
      progress,
      second: { name: second.responseBody.name, size: second.responseBody.size },
      children: children.value.map((c) => [c.name, c.size]),
    };
  },

  /** One GET of the collection. */
  async get(client) {
    const page = await client.api(set).get();
    return { count: page.value.length };
  },
};

const params = JSON.parse(process.argv[2] ?? "{}");
const run = scenarios[params.scenario];
if (!run) {
  throw new Error(`unknown scenario ${params.scenario}`);
}
const wire = recordWire();
let result;
try {
  result = await run(newClient(process.env.GRAPH_EMULATOR_URL, params.customHosts), params);
} catch (err) {
  result = {
    error: { name: err.name, message: err.message, statusCode: err.statusCode ?? null, code: err.code ?? null },
  };
}
process.stdout.write(JSON.stringify({ result, wire }) + "\n");
