/**
 * Tracking data for the tracking e2e tests and the UI bench: experiments, runs with params, metric
 * histories, tags, nested runs and artifacts, written through the app's own store (the host pushes
 * the resulting changes to the UI), plus REST helpers that log the way an external client would.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { App } from "./harness.ts";
import type { Metric, Run, TrackingStore } from "../electron/tracking/types.ts";

/** Creates experiment `name` and returns its id. */
export function createExperiment(app: App, name: string): Promise<string> {
  return app.host.store.createExperiment(name);
}

/** Creates a finished run with params, a metric history per key and tags in `app`'s store (or any store's); returns the run. */
export async function seedRun(
  app: { host: { store: TrackingStore } },
  experimentId: string,
  opts: {
    name: string;
    params?: Record<string, string>;
    /** key → values at steps 0, 1, 2, … */
    metrics?: Record<string, number[]>;
    tags?: Record<string, string>;
    status?: "FINISHED" | "RUNNING";
    startTime?: number;
  },
): Promise<Run> {
  const store = app.host.store;
  const start = opts.startTime ?? Date.now();
  const run = await store.createRun({
    experiment_id: experimentId,
    run_name: opts.name,
    start_time: start,
    tags: Object.entries(opts.tags ?? {}).map(([key, value]) => ({ key, value })),
  });
  const metrics: Metric[] = [];
  for (const [key, values] of Object.entries(opts.metrics ?? {}))
    values.forEach((value, step) => metrics.push({ key, value, step, timestamp: start + step * 1000 }));
  const params = Object.entries(opts.params ?? {}).map(([key, value]) => ({ key, value }));
  for (let i = 0; i < Math.max(metrics.length, params.length, 1); i += 1000)
    await store.logBatch({ run_id: run.info.run_id, metrics: metrics.slice(i, i + 1000), params: i === 0 ? params : [] });
  if ((opts.status ?? "FINISHED") === "FINISHED")
    await store.updateRun({ run_id: run.info.run_id, status: "FINISHED", end_time: start + Math.max(1, metrics.length) * 1000 });
  return store.getRun(run.info.run_id);
}

/** Writes an artifact file of a run straight into its (file://) artifact root. */
export function writeArtifact(run: Run, path: string, content: string | Buffer): void {
  const file = join(fileURLToPath(run.info.artifact_uri), path);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, content);
}

/** The app's origin (its URL without the token query). */
export function origin(app: App): string {
  return new URL(app.url).origin;
}

/** POSTs one MLflow REST call to the app, as an external client would; throws on an error reply. */
export async function rest(app: App, path: string, body: unknown): Promise<unknown> {
  const res = await fetch(`${origin(app)}/api/2.0/mlflow/${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as unknown;
  if (!res.ok) throw new Error(`${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** A tiny MLmodel file with a column signature, as MLflow writes it. */
export const MLMODEL = [
  "artifact_path: model",
  "flavors:",
  "  python_function:",
  "    loader_module: flowbook",
  "signature:",
  `  inputs: '[{"type": "double", "name": "x"}]'`,
  `  outputs: '[{"type": "double", "name": "y"}]'`,
  "",
].join("\n");
