import { expect, it } from "vitest";
import { CollectorConfigSchema } from "../config.ts";
import { createSources } from "./index.ts";
import { receiverHarness } from "./testing.ts";

it("creates exactly the sources the config enables", async () => {
  const { app, deps } = receiverHarness();
  const token = "0123456789abcdef0123";
  const only = (sources: object) => createSources(CollectorConfigSchema.parse({ sources }), deps).map((s) => s.name);
  expect(only({})).toEqual([]);
  expect(only({ tetragonFile: { path: "/t.log" }, falcoHttp: { token }, auditWebhook: { enabled: false, tokens: [token] } })).toEqual(["tetragon-file", "falco"]);
  expect(only({ falcoFile: { path: "/f.json" }, auditFile: { path: "/a.log" }, auditWebhook: { tokens: [token] } })).toEqual(["falco-file", "audit-file", "audit"]);
  await app.close();
});
