// The README's JavaScript example against the built graph-emulator binary with no flags:
// Graph's embedded schema serves /users, the client creates and lists users, and an
// unknown user is a GraphError with Graph's code.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { Client, GraphError } from "@microsoft/microsoft-graph-client";

import { emulatorBinary, startEmulator } from "../support/emulator.mjs";

let bin;
let cleanup = () => {};
before(() => {
  ({ bin, cleanup } = emulatorBinary());
});
after(() => cleanup());

test("the README's users example runs against the default binary", async (t) => {
  const emu = await startEmulator(bin);
  t.after(async () => {
    const code = await emu.stop();
    assert.equal(code, 0, `graph-emulator exited with ${code}:\n${emu.stderr()}`);
  });
  const emulatorURL = emu.url;
  const logged = [];
  const console = { log: (...args) => logged.push(args) };

  // README: the JavaScript example.
  const client = Client.init({
    baseUrl: emulatorURL + "/", // the first line the binary prints
    defaultVersion: "v1.0",
    authProvider: (done) => done(null, "x"),
  });
  const adele = await client.api("/users").post({
    displayName: "Adele Vance", mailNickname: "adele",
    userPrincipalName: "adele@contoso.test", accountEnabled: true,
    passwordProfile: { password: "x-Y-z-123!aB" },
  });
  const users = await client.api("/users").select("id,displayName").get(); // users.value
  try {
    await client.api("/users/no-such-id").get();
  } catch (e) {
    if (e instanceof GraphError) console.log(e.statusCode, e.code); // 404 Request_ResourceNotFound
  }
  // README: end.

  assert.equal(adele["@odata.type"], "#microsoft.graph.user");
  assert.deepEqual(users.value, [{ id: adele.id, displayName: "Adele Vance" }]);
  assert.deepEqual(logged, [[404, "Request_ResourceNotFound"]]);
  const groups = await client.api("/groups").get();
  assert.deepEqual(groups.value, []);
});
