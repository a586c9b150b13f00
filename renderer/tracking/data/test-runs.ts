/**
 * @internal Test fixture: a finished run built from plain records, for the tracking views' unit
 * tests (one place, so a change to the entity shape is made once).
 */
import type { Run, RunStatus } from "./types.ts";

const pairs = (o: Record<string, string>) => Object.entries(o).map(([key, value]) => ({ key, value }));

/** A run named `id` with these params, latest metrics (step 0) and tags. */
export function fakeRun(
  id: string,
  opts: { params?: Record<string, string>; metrics?: Record<string, number>; tags?: Record<string, string>; status?: RunStatus } = {},
): Run {
  return {
    info: { run_id: id, run_uuid: id, run_name: id, experiment_id: "0", user_id: "u", status: opts.status ?? "FINISHED", start_time: 0, artifact_uri: "", lifecycle_stage: "active" },
    data: {
      params: pairs(opts.params ?? {}),
      metrics: Object.entries(opts.metrics ?? {}).map(([key, value]) => ({ key, value, step: 0, timestamp: 0 })),
      tags: pairs(opts.tags ?? {}),
    },
    inputs: { dataset_inputs: [] },
  };
}
