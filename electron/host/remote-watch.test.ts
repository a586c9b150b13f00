import { test } from "node:test";
import assert from "node:assert/strict";
import type { Run } from "../tracking/contract.ts";
import { changedKeys, diffRuns, seenRun } from "./remote-watch.ts";

function run(id: string, opts: { exp?: string; status?: Run["info"]["status"]; loss?: [number, number]; tags?: Record<string, string> } = {}): Run {
  return {
    info: {
      run_id: id, run_uuid: id, run_name: id, experiment_id: opts.exp ?? "1", user_id: "u", status: opts.status ?? "RUNNING",
      start_time: 1, artifact_uri: "mlflow-artifacts:/x", lifecycle_stage: "active",
    },
    data: {
      metrics: opts.loss ? [{ key: "loss", value: 0, step: opts.loss[0], timestamp: opts.loss[1] }] : [],
      params: [],
      tags: Object.entries(opts.tags ?? {}).map(([key, value]) => ({ key, value })),
    },
    inputs: { dataset_inputs: [] },
  };
}

test("a run is new only in an experiment already read, so opening another experiment is quiet", () => {
  const fresh = [run("a", { exp: "1" }), run("b", { exp: "2" })];
  const { changes, next } = diffRuns(new Map(), fresh, new Set(["1"]));
  assert.deepEqual(changes, [{ type: "run", run_id: "a", experiment_id: "1" }]);
  assert.deepEqual([...next.keys()], ["a", "b"]);
});

test("status or tag changes are run changes; a later point (by step, then time) is an advance from the last one", () => {
  const prev = new Map([["a", seenRun(run("a", { loss: [5, 100] }))], ["b", seenRun(run("b", { loss: [5, 100] }))], ["c", seenRun(run("c", { loss: [5, 100] }))]]);
  const { changes, advances } = diffRuns(
    prev,
    [run("a", { status: "FINISHED", loss: [5, 100] }), run("b", { loss: [5, 101], tags: { t: "1" } }), run("c", { loss: [4, 200] })],
    new Set(["1"]),
  );
  assert.deepEqual(changes.map((c) => c.type === "run" && c.run_id), ["a", "b"]);
  assert.deepEqual(advances, [{ runId: "b", experimentId: "1", key: "loss", after: { step: 5, timestamp: 100 }, until: 5 }]);
});

test("a metric key seen for the first time advances from nothing", () => {
  const { advances } = diffRuns(new Map([["a", seenRun(run("a"))]]), [run("a", { loss: [0, 1] })], new Set());
  assert.deepEqual(advances, [{ runId: "a", experimentId: "1", key: "loss", after: undefined, until: 0 }]);
});

test("changedKeys reports added, removed and different entries", () => {
  const before = new Map([["x", "1"], ["y", "1"], ["z", "1"]]);
  const after = new Map([["x", "1"], ["y", "2"], ["w", "1"]]);
  assert.deepEqual(changedKeys(before, after).sort(), ["w", "y", "z"]);
});
