/**
 * Runs-table columns: the fixed attribute columns, chosen metric/param/tag columns, how each maps
 * to MLflow's `order_by`, how a cell value is read, and the per-experiment memory of the choice.
 */
import { errorText, type TrackingApi } from "./api.ts";
import type { Run } from "./types.ts";
import { TAG } from "./types.ts";
import { formatNumber } from "./diff.ts";

/** A column id: `attr:<name>`, `metrics:<key>`, `params:<key>` or `tags:<key>`. */
export type ColumnId = string;

/**
 * The attribute columns every runs table shows, with the order_by key each sorts on. `extension`
 * marks Flowbook's own order_by keys, which MLflow's servers reject (see `acceptsOrder`).
 */
export const BASE_COLUMNS: readonly { id: ColumnId; label: string; order?: string; extension?: boolean }[] = [
  { id: "attr:run_name", label: "Run name", order: "attributes.run_name" },
  { id: "attr:status", label: "Status", order: "attributes.status" },
  { id: "attr:start_time", label: "Created", order: "attributes.start_time" },
  // end_time − start_time; runs still running have none and sort last either way.
  { id: "attr:duration", label: "Duration", order: "attributes.duration", extension: true },
  { id: "attr:user_id", label: "User", order: "attributes.user_id" },
  { id: "attr:source", label: "Source", order: `tags.\`${TAG.source}\`` },
];

/** The kind and key of a chosen (non-attribute) column. */
export function parseColumn(id: ColumnId): { kind: "attr" | "metrics" | "params" | "tags"; key: string } {
  const i = id.indexOf(":");
  return { kind: id.slice(0, i) as "attr" | "metrics" | "params" | "tags", key: id.slice(i + 1) };
}

/** The header label of a column. */
export function columnLabel(id: ColumnId): string {
  const base = BASE_COLUMNS.find((c) => c.id === id);
  if (base) return base.label;
  const { kind, key } = parseColumn(id);
  return `${kind === "metrics" ? "m" : kind === "params" ? "p" : "t"}: ${key}`;
}

/** The `order_by` clause for sorting by a column, or null when the column is not sortable. */
export function orderByFor(id: ColumnId, ascending: boolean): string | null {
  const base = BASE_COLUMNS.find((c) => c.id === id);
  const dir = ascending ? "ASC" : "DESC";
  if (base) return base.order ? `${base.order} ${dir}` : null;
  const { kind, key } = parseColumn(id);
  return `${kind}.\`${key.replace(/`/g, "")}\` ${dir}`;
}

const accepted = new WeakMap<TrackingApi, Map<string, Promise<boolean>>>();

/**
 * Whether the store behind `api` accepts `orderBy` (an extension key such as
 * `attributes.duration`), asked once per api with a one-run search. A store that rejects it makes
 * the column unsortable rather than the table fail; the answer is remembered only when the store
 * named the key in its refusal, so a dropped connection is asked again next time.
 */
export function acceptsOrder(api: TrackingApi, experimentIds: readonly string[], orderBy: string): Promise<boolean> {
  let known = accepted.get(api);
  if (!known) accepted.set(api, (known = new Map()));
  const asked = known.get(orderBy);
  if (asked) return asked;
  const key = orderBy.replace(/^\w+\./, "").split(/\s/)[0];
  const answer = api
    .call("searchRuns", { experiment_ids: [...experimentIds], order_by: [orderBy], max_results: 1 })
    .then(
      () => true,
      (err: unknown) => {
        if (!errorText(err).includes(key)) known.delete(orderBy);
        return false;
      },
    );
  known.set(orderBy, answer);
  return answer;
}

/** The raw value of a chosen column in a run (number for metrics), undefined when not logged. */
export function columnValue(run: Run, id: ColumnId): string | number | undefined {
  const { kind, key } = parseColumn(id);
  if (kind === "metrics") return run.data.metrics.find((m) => m.key === key)?.value;
  if (kind === "params") return run.data.params.find((p) => p.key === key)?.value;
  if (kind === "tags") return run.data.tags.find((t) => t.key === key)?.value;
  return undefined;
}

/** A chosen column's value as display text. */
export function columnText(run: Run, id: ColumnId): string {
  const v = columnValue(run, id);
  if (v === undefined) return "";
  return typeof v === "number" ? formatNumber(v) : v;
}

/** Every metric, param and tag column the given runs could show (tags named mlflow.* left out). */
export function availableColumns(runs: readonly Run[]): { metrics: string[]; params: string[]; tags: string[] } {
  const metrics = new Set<string>();
  const params = new Set<string>();
  const tags = new Set<string>();
  for (const run of runs) {
    for (const m of run.data.metrics) metrics.add(m.key);
    for (const p of run.data.params) params.add(p.key);
    for (const t of run.data.tags) if (!t.key.startsWith("mlflow.")) tags.add(t.key);
  }
  const sorted = (s: Set<string>) => [...s].sort();
  return { metrics: sorted(metrics), params: sorted(params), tags: sorted(tags) };
}

/** Where a column choice is remembered; `localStorage` in the app, a Map in tests. */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

const storageKey = (experimentKey: string) => `flowbook.tracking.columns.${experimentKey}`;

/** An experiment's remembered column choice; undefined when the user never chose (the table shows `defaultColumns`). */
export function loadColumns(storage: KeyValueStorage | undefined, experimentKey: string): ColumnId[] | undefined {
  try {
    const raw = storage?.getItem(storageKey(experimentKey));
    if (!raw) return undefined;
    const parsed: unknown = JSON.parse(raw);
    return Array.isArray(parsed) ? parsed.filter((x): x is string => typeof x === "string" && x.includes(":")) : undefined;
  } catch {
    return undefined;
  }
}

/** Most metric columns a table shows before the user chooses. */
export const DEFAULT_METRIC_COLUMNS = 6;

/**
 * The columns an experiment's table starts with: its metrics, epoch-level ones (`loss`) before
 * per-batch ones (`batch/loss`), at most `DEFAULT_METRIC_COLUMNS`.
 */
export function defaultColumns(available: { metrics: readonly string[] }): ColumnId[] {
  const nested = (k: string) => (k.includes("/") ? 1 : 0);
  return [...available.metrics].sort((a, b) => nested(a) - nested(b)).slice(0, DEFAULT_METRIC_COLUMNS).map((k) => `metrics:${k}`);
}

/** Remembers an experiment's column choice. */
export function saveColumns(storage: KeyValueStorage | undefined, experimentKey: string, ids: readonly ColumnId[]): void {
  storage?.setItem(storageKey(experimentKey), JSON.stringify(ids));
}
