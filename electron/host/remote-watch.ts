/**
 * Change events for views reading a remote MLflow server, which cannot push: on a timer, re-read
 * what the views are looking at (the newest and the RUNNING runs of the experiments they searched,
 * the experiment list, the registry once they used it), compare it with the last reading, and emit
 * the same `StoreChange`s the local store pushes — new metric points included, so charts append
 * instead of redrawing. Ticks never overlap; a failing reading changes nothing, and the failure
 * (and the recovery) is reported once.
 */
import type { RemoteError } from "../protocol.ts";
import type { Experiment, RegisteredModel, Run, StoreChange } from "../tracking/contract.ts";
import { MAX_RESULTS_PER_RUN, MAX_RUNS_GET_METRIC_HISTORY_BULK } from "../tracking/limits.ts";
import type { TrackingStore } from "../tracking/types.ts";

/** The newest runs re-read per tick: enough to notice new runs between two ticks. */
const RECENT_RUNS = 20;
/** Experiments whose runs are re-read: the ones the views searched most recently. */
const MAX_WATCHED_EXPERIMENTS = 10;

type Point = { step: number; timestamp: number };

/** What the watcher last saw of one run. */
export interface SeenRun {
  experimentId: string;
  running: boolean;
  /** Status, end time, name, lifecycle, params and tags: when it changes, the run changed. */
  shape: string;
  /** The latest point per metric key. */
  latest: Map<string, Point>;
}

/** A metric of a run that advanced since the last reading; `after` is the point seen then, if any. */
export interface Advance {
  runId: string;
  experimentId: string;
  key: string;
  after?: Point;
  until: number;
}

/** Reduces a run to what the watcher compares. */
export function seenRun(run: Run): SeenRun {
  const { status, end_time, run_name, lifecycle_stage } = run.info;
  return {
    experimentId: run.info.experiment_id,
    running: status === "RUNNING",
    shape: JSON.stringify([status, end_time ?? null, run_name, lifecycle_stage, run.data.params, run.data.tags]),
    latest: new Map(run.data.metrics.map((m) => [m.key, { step: m.step, timestamp: m.timestamp }])),
  };
}

const newer = (p: Point, than: Point | undefined) => !than || p.step > than.step || (p.step === than.step && p.timestamp > than.timestamp);

/**
 * Compares a fresh reading of runs with the previous one (a pure update). A run is new only when
 * its experiment was already read last time (`polled`), so opening another experiment is quiet.
 */
export function diffRuns(
  prev: ReadonlyMap<string, SeenRun>,
  fresh: readonly Run[],
  polled: ReadonlySet<string>,
): { next: Map<string, SeenRun>; changes: StoreChange[]; advances: Advance[] } {
  const next = new Map<string, SeenRun>();
  const changes: StoreChange[] = [];
  const advances: Advance[] = [];
  for (const run of fresh) {
    const id = run.info.run_id;
    const now = seenRun(run);
    next.set(id, now);
    const before = prev.get(id);
    if (!before) {
      if (polled.has(now.experimentId)) changes.push({ type: "run", run_id: id, experiment_id: now.experimentId });
      continue;
    }
    if (before.shape !== now.shape) changes.push({ type: "run", run_id: id, experiment_id: now.experimentId });
    for (const [key, p] of now.latest) {
      const after = before.latest.get(key);
      if (newer(p, after)) advances.push({ runId: id, experimentId: now.experimentId, key, after, until: p.step });
    }
  }
  return { next, changes, advances };
}

/** Changed entries between two fingerprint maps (added, removed or different). */
export function changedKeys(prev: ReadonlyMap<string, string>, next: ReadonlyMap<string, string>): string[] {
  const out = [...next].filter(([k, v]) => prev.get(k) !== v).map(([k]) => k);
  for (const k of prev.keys()) if (!next.has(k)) out.push(k);
  return out;
}

const experimentPrint = (e: Experiment) => JSON.stringify([e.name, e.lifecycle_stage, e.last_update_time, e.tags]);
const modelPrint = (m: RegisteredModel) =>
  JSON.stringify([m.last_updated_timestamp, m.description ?? "", m.tags, m.aliases, m.latest_versions.map((v) => [v.version, v.current_stage, v.status])]);

/** A running watcher: feed it the views' calls, stop it when the views leave the remote. */
export interface RemoteWatch {
  /** Learns from a call the views made (which experiments they show, which runs are running). */
  observe(method: string, args: unknown[], result: unknown): void;
  stop(): void;
}

/** Options of {@link watchRemote}. */
export interface RemoteWatchOptions {
  store: TrackingStore;
  refreshMs: number;
  emit: (change: StoreChange) => void;
  /** Called when ticks start failing (with the error) or succeed again (with undefined). */
  health: (error: RemoteError | undefined) => void;
  /** Turns a failure into what the user reads. */
  describe: (err: unknown) => RemoteError;
}

/** Starts re-reading `store` every `refreshMs`; the first tick only records what is there. */
export function watchRemote(opts: RemoteWatchOptions): RemoteWatch {
  const { store } = opts;
  /** Most recent first. */
  let watched: string[] = [];
  let polled = new Set<string>();
  let runs = new Map<string, SeenRun>();
  let experiments: Map<string, string> | undefined;
  let models: Map<string, string> | undefined;
  let registryWatched = false;
  let failing = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  const watch = (experimentId: string) => {
    watched = [experimentId, ...watched.filter((e) => e !== experimentId)].slice(0, MAX_WATCHED_EXPERIMENTS);
  };
  /** A running run the views read: compare later readings with what they saw. */
  const remember = (run: Run) => {
    if (run.info.status !== "RUNNING") return;
    watch(run.info.experiment_id);
    if (!runs.has(run.info.run_id)) runs.set(run.info.run_id, seenRun(run));
  };

  /** New points of the advanced metrics, as one `metrics` change per run. */
  async function newPoints(advances: Advance[]): Promise<StoreChange[]> {
    const byKey = new Map<string, Advance[]>();
    for (const a of advances) byKey.set(a.key, [...(byKey.get(a.key) ?? []), a]);
    const perRun = new Map<string, Extract<StoreChange, { type: "metrics" }>>();
    for (const [key, list] of byKey) {
      for (let i = 0; i < list.length; i += MAX_RUNS_GET_METRIC_HISTORY_BULK) {
        const chunk = list.slice(i, i + MAX_RUNS_GET_METRIC_HISTORY_BULK);
        const points = await store.getMetricHistoryBulkInterval({
          run_ids: chunk.map((a) => a.runId),
          metric_key: key,
          start_step: Math.min(...chunk.map((a) => a.after?.step ?? Number.MIN_SAFE_INTEGER)),
          end_step: Math.max(...chunk.map((a) => a.until)),
          max_results: MAX_RESULTS_PER_RUN,
        });
        const byId = new Map(chunk.map((a) => [a.runId, a]));
        for (const { run_id, ...p } of points) {
          const a = byId.get(run_id);
          if (!a || !newer(p, a.after)) continue;
          let change = perRun.get(run_id);
          if (!change) perRun.set(run_id, (change = { type: "metrics", run_id, experiment_id: a.experimentId, metrics: [] }));
          change.metrics.push({ key, value: p.value, timestamp: p.timestamp, step: p.step });
        }
      }
    }
    return [...perRun.values()];
  }

  async function readRuns(): Promise<StoreChange[]> {
    if (watched.length === 0) return [];
    const experiment_ids = [...watched];
    const [recent, running] = await Promise.all([
      store.searchRuns({ experiment_ids, order_by: ["attributes.start_time DESC"], max_results: RECENT_RUNS }),
      store.searchRuns({ experiment_ids, filter: "attributes.status = 'RUNNING'", max_results: 1000 }),
    ]);
    const fresh = new Map<string, Run>();
    for (const r of [...recent.items, ...running.items]) fresh.set(r.info.run_id, r);
    const changes: StoreChange[] = [];
    // A run that left both lists finished (or was deleted): read it once more for its last points.
    for (const [id, seen] of runs) {
      if (fresh.has(id)) continue;
      if (!seen.running) {
        changes.push({ type: "run", run_id: id, experiment_id: seen.experimentId });
        continue;
      }
      const last = await store.getRun(id).catch(() => null);
      if (last) fresh.set(id, last);
      else changes.push({ type: "run", run_id: id, experiment_id: seen.experimentId });
    }
    const diff = diffRuns(runs, [...fresh.values()], polled);
    const points = await newPoints(diff.advances);
    runs = diff.next;
    polled = new Set(experiment_ids);
    return [...changes, ...diff.changes, ...points];
  }

  async function readExperiments(): Promise<StoreChange[]> {
    const page = await store.searchExperiments({ view_type: "ALL", max_results: 1000 });
    const next = new Map(page.items.map((e) => [e.experiment_id, experimentPrint(e)]));
    const changed = experiments ? changedKeys(experiments, next) : [];
    experiments = next;
    return changed.map((experiment_id) => ({ type: "experiment", experiment_id }));
  }

  async function readRegistry(): Promise<StoreChange[]> {
    if (!registryWatched) return [];
    const page = await store.searchRegisteredModels({ max_results: 1000 });
    const next = new Map(page.items.map((m) => [m.name, modelPrint(m)]));
    const changed = models ? changedKeys(models, next) : [];
    models = next;
    return changed.map((name) => ({ type: "registry", name }));
  }

  async function tick(): Promise<void> {
    try {
      // Each reading commits its state only with its changes, so a later failure loses nothing.
      for (const read of [readRegistry, readExperiments, readRuns]) {
        const changes = await read();
        if (stopped) return;
        for (const c of changes) opts.emit(c);
      }
      if (failing) opts.health(undefined);
      failing = false;
    } catch (err) {
      if (stopped) return;
      if (!failing) opts.health(opts.describe(err));
      failing = true;
    }
  }

  const loop = () => {
    timer = setTimeout(() => void tick().then(() => !stopped && loop()), opts.refreshMs);
  };
  void tick().then(() => !stopped && loop());

  return {
    observe(method, args, result) {
      if (method === "searchRuns") {
        const req = args[0] as { experiment_ids?: unknown } | undefined;
        if (Array.isArray(req?.experiment_ids)) for (const id of [...req.experiment_ids].reverse()) if (typeof id === "string") watch(id);
        for (const run of (result as { items: Run[] }).items) remember(run);
      } else if (method === "getRun") {
        remember(result as Run);
      } else if (/RegisteredModel|ModelVersion|LatestVersions/.test(method)) {
        registryWatched = true;
      }
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
