// The JavaScript Graph client (@microsoft/microsoft-graph-client) against the built
// graph-emulator binary: office365ServicesUserCounts create, get, patch, list, delete,
// and GraphError for Graph's 404 and 400. Each test gets a fresh emulator.
//
// Paging is in https.test.mjs: this client follows @odata.nextLink only when it starts
// with https://, and here the binary serves plain http.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { Client, GraphError, ResponseType } from "@microsoft/microsoft-graph-client";

import { emulatorBinary, startEmulator } from "../support/emulator.mjs";

const typeName = "microsoft.graph.office365ServicesUserCounts";
const set = "/office365ServicesUserCounts";

/** The seed document's example with a real Edm.Date. */
function sample() {
  return {
    "@odata.type": "#" + typeName,
    reportRefreshDate: "2021-05-18",
    exchangeActive: 14,
    exchangeInactive: 0,
    oneDriveActive: 14,
    oneDriveInactive: 0,
    sharePointActive: 0,
    sharePointInactive: 2,
    skypeForBusinessActive: 6,
    skypeForBusinessInactive: 8,
    yammerActive: 12,
    yammerInactive: 14,
    teamsActive: 11,
    teamsInactive: 13,
    office365Active: 15,
    office365Inactive: 1,
    reportPeriod: "7",
  };
}

/** The declared properties of an entity body, without annotations and id. */
function values(entity) {
  const out = {};
  for (const [k, v] of Object.entries(entity)) {
    if (!k.includes("@") && k !== "id") {
      out[k] = v;
    }
  }
  return out;
}

/** Asserts an entity body as Graph returns it: context, type, id, then the values. */
function assertEntity(base, got, want) {
  assert.equal(got["@odata.context"], `${base}/v1.0/$metadata#office365ServicesUserCounts/$entity`);
  assert.equal(got["@odata.type"], "#" + typeName);
  assert.equal(typeof got.id, "string");
  assert.notEqual(got.id, "");
  assert.deepEqual(values(got), values(want));
}

/** Asserts that err is a GraphError carrying Graph's status, code, message and request id. */
function assertGraphError(err, statusCode, code, message) {
  assert.ok(err instanceof GraphError, `want a GraphError, got ${err}`);
  assert.equal(err.statusCode, statusCode);
  assert.equal(err.code, code);
  assert.equal(err.message, message);
  const requestId = err.headers.get("request-id");
  assert.ok(requestId, "no request-id header");
  assert.equal(err.requestId, requestId, "innerError request-id differs from the request-id header");
  // The client sends no client-request-id to a non-Graph http host: Graph then echoes
  // its request-id.
  assert.equal(err.headers.get("client-request-id"), requestId);
  assert.ok(!Number.isNaN(err.date.getTime()), `innerError date unreadable: ${err.date}`);
  const body = JSON.parse(err.body);
  assert.equal(body.innerError["client-request-id"], requestId);
}

const unknownProperty = (prop) =>
  `The property '${prop}' does not exist on type '${typeName}'. ` +
  "Make sure to only use property names that are defined by the type or mark the type as open type.";

const notFound = (id) =>
  `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`;

/** Asserts Graph's envelope headers on a raw response. */
function assertEnvelope(res) {
  const requestId = res.headers.get("request-id");
  assert.ok(requestId, "no request-id header");
  assert.equal(res.headers.get("client-request-id"), requestId);
  assert.equal(res.headers.get("odata-version"), "4.0");
}

describe("@microsoft/microsoft-graph-client against graph-emulator", () => {
  let bin;
  let cleanup = () => {};
  before(() => {
    ({ bin, cleanup } = emulatorBinary());
  });
  after(() => cleanup());

  /**
   * Starts a fresh emulator for one test and returns { base, client }; the emulator
   * is stopped, and must exit cleanly, when the test ends.
   */
  async function setup(t) {
    const emu = await startEmulator(bin);
    t.after(async () => {
      const code = await emu.stop();
      assert.equal(code, 0, `graph-emulator exited with ${code}:\n${emu.stderr()}`);
    });
    const base = emu.url;
    // README: point the JavaScript Graph client at the emulator.
    const client = Client.init({
      baseUrl: base + "/",
      defaultVersion: "v1.0",
      authProvider: (done) => done(null, "x"),
    });
    // README: end.
    return { base, client };
  }

  test("post answers 201 with the entity and its Location", async (t) => {
    const { base, client } = await setup(t);
    const res = await client.api(set).responseType(ResponseType.RAW).post(sample());
    assert.equal(res.status, 201);
    assertEnvelope(res);
    assert.match(res.headers.get("content-type"), /^application\/json;/);
    const created = await res.json();
    assertEntity(base, created, sample());
    const loc = res.headers.get("location");
    assert.ok(loc.startsWith(`${base}/v1.0/office365ServicesUserCounts`), `Location ${loc}`);
    assert.ok(loc.includes(created.id), `Location ${loc} does not name ${created.id}`);
  });

  test("post then get returns the stored entity", async (t) => {
    const { base, client } = await setup(t);
    const created = await client.api(set).post(sample());
    assertEntity(base, created, sample());
    const got = await client.api(`${set}/${created.id}`).get();
    assertEntity(base, got, sample());
    assert.equal(got.id, created.id);
  });

  test("get by key in parentheses", async (t) => {
    const { base, client } = await setup(t);
    const created = await client.api(set).post({ ...sample(), id: "compat-js-1" });
    assert.equal(created.id, "compat-js-1");
    const got = await client.api(`${set}('compat-js-1')`).get();
    assertEntity(base, got, sample());
    assert.equal(got.id, "compat-js-1");
  });

  test("patch answers 200 with the merged entity", async (t) => {
    const { base, client } = await setup(t);
    const created = await client.api(set).post(sample());
    const res = await client
      .api(`${set}/${created.id}`)
      .responseType(ResponseType.RAW)
      .patch({ exchangeActive: 99, reportPeriod: "30" });
    assert.equal(res.status, 200);
    assertEnvelope(res);
    const want = { ...sample(), exchangeActive: 99, reportPeriod: "30" };
    assertEntity(base, await res.json(), want);
    const patched = await client.api(`${set}/${created.id}`).patch({ teamsActive: 1 });
    assertEntity(base, patched, { ...want, teamsActive: 1 });
    const got = await client.api(`${set}/${created.id}`).get();
    assertEntity(base, got, { ...want, teamsActive: 1 });
  });

  test("patch with null clears a property", async (t) => {
    const { base, client } = await setup(t);
    const created = await client.api(set).post(sample());
    const patched = await client.api(`${set}/${created.id}`).patch({ reportPeriod: null });
    assertEntity(base, patched, { ...sample(), reportPeriod: null });
  });

  test("list returns every entity in creation order", async (t) => {
    const { base, client } = await setup(t);
    const ids = [];
    for (let i = 0; i < 3; i++) {
      ids.push((await client.api(set).post({ ...sample(), teamsActive: 100 + i })).id);
    }
    const page = await client.api(set).get();
    assert.equal(page["@odata.context"], `${base}/v1.0/$metadata#office365ServicesUserCounts`);
    assert.equal(page["@odata.nextLink"], undefined);
    assert.deepEqual(
      page.value.map((v) => v.id),
      ids,
    );
    assert.deepEqual(
      page.value.map((v) => v.teamsActive),
      [100, 101, 102],
    );
  });

  test("If-Match guards a patch: the current tag passes, a stale one is a 412 GraphError", async (t) => {
    const { client } = await setup(t);
    const created = await client.api(set).post(sample());
    const entity = `${set}/${created.id}`;
    const read = await client.api(entity).responseType(ResponseType.RAW).get();
    const tag = read.headers.get("etag");
    assert.match(tag, /^W\/"\d+"$/);
    assert.equal((await read.json())["@odata.etag"], tag);
    const patched = await client.api(entity).header("If-Match", tag).patch({ teamsActive: 1 });
    assert.equal(patched.teamsActive, 1);
    await assert.rejects(
      client.api(entity).header("If-Match", tag).patch({ teamsActive: 2 }),
      (err) => {
        assertGraphError(err, 412, "resourceModified", "ETag does not match current item's value");
        return true;
      },
    );
    assert.equal((await client.api(entity).get()).teamsActive, 1);
    const now = patched["@odata.etag"];
    const cached = await client.api(entity).header("If-None-Match", now).responseType(ResponseType.RAW).get();
    assert.equal(cached.status, 304);
  });

  test("delete answers 204 and the entity is gone", async (t) => {
    const { client } = await setup(t);
    const created = await client.api(set).post(sample());
    const res = await client.api(`${set}/${created.id}`).responseType(ResponseType.RAW).delete();
    assert.equal(res.status, 204);
    assertEnvelope(res);
    assert.equal(await res.text(), "");
    await assert.rejects(client.api(`${set}/${created.id}`).get(), (err) => {
      assertGraphError(err, 404, "Request_ResourceNotFound", notFound(created.id));
      return true;
    });
  });

  test("delete resolves to nothing", async (t) => {
    const { client } = await setup(t);
    const created = await client.api(set).post(sample());
    assert.equal(await client.api(`${set}/${created.id}`).delete(), undefined);
  });

  const errorCases = [
    {
      name: "get of an unknown id is a 404 GraphError",
      call: (c) => c.api(`${set}/no-such-id`).get(),
      status: 404,
      code: "Request_ResourceNotFound",
      message: notFound("no-such-id"),
    },
    {
      name: "patch of an unknown id is a 404 GraphError",
      call: (c) => c.api(`${set}/no-such-id`).patch({ exchangeActive: 1 }),
      status: 404,
      code: "Request_ResourceNotFound",
      message: notFound("no-such-id"),
    },
    {
      name: "delete of an unknown id is a 404 GraphError",
      call: (c) => c.api(`${set}/no-such-id`).delete(),
      status: 404,
      code: "Request_ResourceNotFound",
      message: notFound("no-such-id"),
    },
    {
      name: "post with an unknown property is a 400 GraphError",
      call: (c) => c.api(set).post({ ...sample(), bogusProperty: 1 }),
      status: 400,
      code: "RequestBodyRead",
      message: unknownProperty("bogusProperty"),
    },
    {
      name: "patch with an unknown property is a 400 GraphError",
      setup: async (c) => (await c.api(set).post({ ...sample(), id: "compat-js-2" })).id,
      call: (c) => c.api(`${set}/compat-js-2`).patch({ bogusProperty: "x" }),
      status: 400,
      code: "RequestBodyRead",
      message: unknownProperty("bogusProperty"),
    },
    {
      name: "unknown segment is a 400 GraphError",
      call: (c) => c.api("/noSuchSet").get(),
      status: 400,
      code: "BadRequest",
      message: "Resource not found for the segment 'noSuchSet'.",
    },
  ];
  for (const tc of errorCases) {
    test(tc.name, async (t) => {
      const { client } = await setup(t);
      if (tc.setup) {
        await tc.setup(client);
      }
      await assert.rejects(tc.call(client), (err) => {
        assertGraphError(err, tc.status, tc.code, tc.message);
        return true;
      });
    });
  }
});
