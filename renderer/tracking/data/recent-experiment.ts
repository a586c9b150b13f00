/**
 * Which experiment the Tracking tab opens on: the one whose run started last (what the user was
 * just doing), else the newest experiment — never the empty Default while others hold runs.
 */
import type { TrackingApi } from "./api.ts";
import type { Experiment } from "./types.ts";

/** The most recent of `experiments` (active ones only), or undefined when there are none. */
export async function mostRecentExperiment(api: TrackingApi, experiments: readonly Experiment[]): Promise<Experiment | undefined> {
  const active = experiments.filter((e) => e.lifecycle_stage === "active");
  if (active.length === 0) return undefined;
  const latest = await api
    .call("searchRuns", { experiment_ids: active.map((e) => e.experiment_id), max_results: 1, order_by: ["attributes.start_time DESC"] })
    .then((page) => page.items[0], () => undefined);
  const withRun = latest && active.find((e) => e.experiment_id === latest.info.experiment_id);
  return withRun ?? active.reduce((a, b) => (b.creation_time > a.creation_time ? b : a));
}
