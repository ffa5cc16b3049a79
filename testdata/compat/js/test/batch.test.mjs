// JSON batching with the JavaScript Graph client's BatchRequestContent and
// BatchResponseContent against the built graph-emulator binary.
//
// Node's Request takes only absolute URLs and the client strips their scheme and host,
// so step URLs are BASE + the path without the version ("/office365ServicesUserCounts");
// one that keeps /v1.0/ is refused for that step, as Graph refuses it.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { BatchRequestContent, BatchResponseContent, Client } from "@microsoft/microsoft-graph-client";

import { emulatorBinary, startEmulator } from "../support/emulator.mjs";

const set = "/office365ServicesUserCounts";

describe("BatchRequestContent against graph-emulator", () => {
  let bin;
  let cleanup = () => {};
  before(() => {
    ({ bin, cleanup } = emulatorBinary());
  });
  after(() => cleanup());

  async function setup(t) {
    const emu = await startEmulator(bin);
    t.after(async () => {
      const code = await emu.stop();
      assert.equal(code, 0, `graph-emulator exited with ${code}:\n${emu.stderr()}`);
    });
    const base = emu.url;
    const client = Client.init({
      baseUrl: base + "/",
      defaultVersion: "v1.0",
      authProvider: (done) => done(null, "x"),
    });
    return { base, client };
  }

  /** A JSON request step, as the client's docs build them. */
  function step(id, url, method = "GET", body) {
    const init = { method };
    if (body !== undefined) {
      init.body = JSON.stringify(body);
      init.headers = { "Content-Type": "application/json" };
    }
    return { id, request: new Request(url, init) };
  }

  /** Sends a batch and returns its BatchResponseContent, checking each item's shape. */
  async function send(client, content) {
    const json = await client.api("/$batch").post(await content.getContent());
    assert.ok(Array.isArray(json.responses), `no responses array: ${JSON.stringify(json)}`);
    for (const item of json.responses) {
      for (const [name, value] of Object.entries(item.headers)) {
        assert.equal(typeof value, "string", `item ${item.id}: header ${name} is not a string`);
      }
      if (item.status === 204) {
        assert.equal(item.body, undefined, `item ${item.id}: a 204 with a body`);
      }
    }
    return new BatchResponseContent(json);
  }

  test("a serial batch: create, read it, a 404 and the 424 of its dependent", async (t) => {
    const { base, client } = await setup(t);
    const steps = [
      step("1", `${base}${set}`, "POST", { id: "js-batch-1", teamsActive: 3, reportPeriod: "batch" }),
      step("2", `${base}${set}/js-batch-1`),
      step("3", `${base}${set}/none`, "PATCH", { teamsActive: 1 }),
      step("4", `${base}${set}/none2`),
    ];
    const content = new BatchRequestContent(steps);
    content.addDependency("2", "1");
    content.addDependency("3", "2");
    content.addDependency("4", "3");
    const res = await send(client, content);

    const created = res.getResponseById("1");
    assert.equal(created.status, 201);
    assert.ok(created.headers.get("location").startsWith(`${base}/v1.0${set}`));
    assert.equal((await created.json()).teamsActive, 3);
    const read = res.getResponseById("2");
    assert.equal(read.status, 200);
    const entity = await read.json();
    assert.equal(entity.id, "js-batch-1");
    assert.equal(entity["@odata.context"], `${base}/v1.0/$metadata#office365ServicesUserCounts/$entity`);
    const missing = res.getResponseById("3");
    assert.equal(missing.status, 404);
    assert.equal((await missing.json()).error.code, "Request_ResourceNotFound");
    const dependent = res.getResponseById("4");
    assert.equal(dependent.status, 424);
    const err = (await dependent.json()).error;
    assert.equal(typeof err.message, "string");
    assert.equal(typeof err.innerError["request-id"], "string");
    assert.equal(dependent.headers.get("request-id"), err.innerError["request-id"]);
  });

  test("parallel steps: each answered as if sent alone, a 204 without a body", async (t) => {
    const { base, client } = await setup(t);
    const created = await client.api(set).post({ teamsActive: 1 });
    const res = await send(
      client,
      new BatchRequestContent([
        step("a", `${base}${set}`, "POST", { teamsActive: 2 }),
        step("b", `${base}${set}/${created.id}`, "DELETE"),
        step("c", `${base}${set}?$filter=teamsActive eq 1&$select=teamsActive`),
        step("d", `${base}/v1.0${set}`),
      ]),
    );
    assert.equal(res.getResponseById("a").status, 201);
    assert.equal(res.getResponseById("b").status, 204);
    const list = res.getResponseById("c");
    assert.equal(list.status, 200);
    assert.ok(Array.isArray((await list.json()).value));
    const versioned = res.getResponseById("d");
    assert.equal(versioned.status, 400, "a step URL that keeps /v1.0/ is refused");
    assert.equal((await versioned.json()).error.code, "BadRequest");
    const ids = new Set([...res.getResponses().values()].map((r) => r.headers.get("request-id")));
    assert.equal(ids.size, 4, "every item has a request-id of its own");
  });
});
