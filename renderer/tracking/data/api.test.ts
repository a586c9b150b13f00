/**
 * The views' tracking calls are typed by method name: what reaches the host is the method and its
 * arguments as given (a plain JSON copy), and a wrong name or argument type does not compile (the
 * `@ts-expect-error` lines fail `npm run typecheck` the day they stop being errors).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { TrackingInvocation } from "../../../electron/tracking/contract.ts";
import { createTrackingApi } from "./api.ts";

function recordingApi() {
  const sent: TrackingInvocation[] = [];
  const api = createTrackingApi({
    send: async (call) => {
      sent.push(call);
      return call.method === "getRun" ? { info: { run_id: call.args[0] } } : null;
    },
    serve: async () => ({ url: null }),
    subscribe: () => () => undefined,
  });
  return { api, sent };
}

test("a call sends its method and a plain copy of its arguments, and resolves to the host's answer", async () => {
  const { api, sent } = recordingApi();
  const req = { experiment_ids: ["1"], max_results: 5 };
  const run = await api.call("getRun", "r1");
  assert.equal(run.info.run_id, "r1");
  await api.call("searchRuns", req);
  await api.call("transitionModelVersionStage", "m", "1", "Production", true);
  assert.deepEqual(sent, [
    { method: "getRun", args: ["r1"] },
    { method: "searchRuns", args: [req] },
    { method: "transitionModelVersionStage", args: ["m", "1", "Production", true] },
  ]);
  assert.notEqual(sent[1].args[0], req, "arguments travel as a copy, never as the caller's (possibly proxied) object");
});

test("wrong method names, argument types and counts do not compile", () => {
  const { api } = recordingApi();
  // Never called: these lines are checked by the compiler only.
  const typeChecks = () => [
    // @ts-expect-error: no such store method
    api.call("getRunz", "r1"),
    // @ts-expect-error: a run id is a string
    api.call("getRun", 42),
    // @ts-expect-error: searchRuns takes one request object
    api.call("searchRuns", "1"),
    // @ts-expect-error: the store's lifetime is the host's, not a view's
    api.call("close"),
    // @ts-expect-error: missing the version
    api.call("getModelVersion", "m"),
  ];
  assert.equal(typeof typeChecks, "function");
});
