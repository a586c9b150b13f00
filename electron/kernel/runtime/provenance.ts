/**
 * What a run started in a cell records about where it came from (goal G4), beyond the tags
 * `mlflow.ts` stamps: a snapshot of the whole notebook as the kernel ran it (an artifact, so
 * "open the notebook state that produced this run" works after the file moved on), and the
 * primitive values the cell read from other cells (`flowbook.upstream`, e.g. slider positions).
 *
 * The kernel only learns code when a cell runs, so the snapshot holds each cell as it last ran
 * (or as the file had it when the kernel started): exactly the code that produced the run.
 */
import type { CellId, CellSource } from "../../protocol.ts";
import { serializeNotebook } from "../../notebook/index.ts";
import { MAX_TAG_VAL_LENGTH } from "../../tracking/client/index.ts";
import { isWidget } from "./ui.ts";

/** The run artifact holding the notebook snapshot; the renderer's tracking views read it by this path. */
export const SNAPSHOT_PATH = "flowbook/notebook.ts";
/** The run tag holding the upstream values, one JSON object by name. */
export const UPSTREAM_TAG = "flowbook.upstream";
/** The key in `flowbook.upstream` that says which names did not fit (no JS name can be "…"). */
export const OMITTED_KEY = "…";
/** Strings longer than this are cut (ending in "…"), so one long text cannot crowd out the rest. */
const MAX_STRING = 200;

/** Where runs started in cells come from. */
export interface Provenance {
  notebookPath: string;
  /** The code of a cell as the kernel last ran it, for `flowbook.codeHash`. */
  codeOf(cellId: CellId): string | undefined;
  /** The whole notebook in the file format, cells as the kernel last ran them, for the run's snapshot. */
  notebookText(): string;
}

/**
 * The provenance of a notebook whose kernel has registered `cells()`: the code it last ran each cell
 * with (the file's code for cells not run yet), in notebook order. `cells` is read when a run
 * starts, so it can reach a kernel that is built after the runtime.
 */
export function kernelProvenance(notebookPath: string, cells: () => readonly CellSource[]): Provenance {
  return {
    notebookPath,
    codeOf: (id) => cells().find((c) => c.id === id)?.code,
    notebookText: () =>
      serializeNotebook({
        header: `// The notebook ${notebookPath.replace(/\s+/g, " ")} as Flowbook ran it (a run's snapshot).\n\n`,
        cells: cells().map(({ id, code, config }) => ({ id, code, config })),
      }),
  };
}

/** A value `flowbook.upstream` records. */
export type UpstreamValue = string | number | boolean;

/**
 * The primitive values among a cell run's inputs (the names it reads from other cells): numbers,
 * strings and booleans, and a UI element's current value when that is one. Objects, functions and
 * the `flowbook` module are left out. Non-finite numbers become strings, which JSON can carry.
 */
export function upstreamValues(inputs: Readonly<Record<string, unknown>>): Record<string, UpstreamValue> {
  const out: Record<string, UpstreamValue> = {};
  for (const [name, raw] of Object.entries(inputs)) {
    const value = isWidget(raw) ? raw.value : raw;
    if (typeof value === "number") out[name] = Number.isFinite(value) ? value : String(value);
    else if (typeof value === "string" || typeof value === "boolean") out[name] = value;
  }
  return out;
}

/**
 * The `flowbook.upstream` tag value: a JSON object by name, at most `MAX_TAG_VAL_LENGTH` characters.
 * Long strings are cut to 200 characters ending in "…"; names that still do not fit (in name
 * order) are left out and listed under the key "…" as `omitted: a, b (+N more)`.
 */
export function upstreamTag(values: Readonly<Record<string, UpstreamValue>>): string {
  const names = Object.keys(values).sort();
  const cut = (v: UpstreamValue) => (typeof v === "string" && v.length > MAX_STRING ? v.slice(0, MAX_STRING) + "…" : v);
  const kept: Record<string, UpstreamValue> = {};
  const omitted: string[] = [];
  // Room for the omission note, itself bounded below.
  const budget = MAX_TAG_VAL_LENGTH - 300;
  let length = 2;
  for (const name of names) {
    const entry = JSON.stringify({ [name]: cut(values[name]) }).length - 1;
    if (length + entry > budget) omitted.push(name);
    else {
      kept[name] = cut(values[name]);
      length += entry;
    }
  }
  if (omitted.length > 0) {
    let note = "omitted:";
    let listed = 0;
    for (const name of omitted) {
      if (note.length + name.length > 200) break;
      note += `${listed ? "," : ""} ${name}`;
      listed++;
    }
    if (listed < omitted.length) note += ` (+${omitted.length - listed} more)`;
    kept[OMITTED_KEY] = note;
  }
  return JSON.stringify(kept);
}
