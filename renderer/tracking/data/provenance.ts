/**
 * What a run logged from a Flowbook cell says about where it came from, as the tracking views read
 * it: the notebook snapshot artifact (the kernel writes `flowbook/notebook.ts`, see
 * electron/kernel/runtime/provenance.ts), a cell taken out of it, the upstream values tag, and the
 * code hash to compare with the live notebook. The snapshot is in the notebook file format
 * (electron/notebook/format.ts); the renderer cannot import that module, so it reads the few
 * parts it needs here: marker lines `// %% [cell id=… name="…" …]` and escaped `// %%%` lines.
 */
import type { TrackingApi } from "./api.ts";
import { TAG, tagOf, type Run } from "./types.ts";

/** The run artifact holding the notebook snapshot (the kernel's SNAPSHOT_PATH). */
export const SNAPSHOT_PATH = "flowbook/notebook.ts";
/** The key of `flowbook.upstream` that lists the values left out to fit MLflow's tag limit. */
export const OMITTED_KEY = "…";

/** One cell of a snapshot. */
export interface SnapshotCell {
  id: string;
  name?: string;
  code: string;
}

const MARKER_START = /^\/\/ %%(?!%)/;
const MARKER = /^\/\/ %% \[cell(?<opts>(?: .*)?)\]\s*$/;
const ID = / id=(?<id>[A-Za-z0-9_-]+)(?= |$)/;
const NAME = / name=(?<name>"(?:[^"\\]|\\.)*")(?= |$)/;

/**
 * The cells of a notebook text, in order. Lines that start a marker but do not parse are skipped
 * with the code around them, since a view can only show what it finds (the kernel writes valid
 * files; this reads anything without throwing).
 */
export function snapshotCells(text: string): SnapshotCell[] {
  const lines = text.split("\n");
  const cells: SnapshotCell[] = [];
  let body: string[] | undefined;
  const close = () => {
    if (!body) return;
    // The writer ends each cell's code with a line break and puts a blank line between cells.
    if (body.length && body[body.length - 1] === "") body.pop();
    cells[cells.length - 1].code = body.map((l) => (l.startsWith("// %%%") ? "// %%" + l.slice(6) : l)).join("\n");
  };
  for (const raw of lines) {
    if (MARKER_START.test(raw)) {
      const opts = MARKER.exec(raw.replace(/\r$/, ""))?.groups?.opts ?? "";
      const id = ID.exec(opts)?.groups?.id;
      close();
      body = undefined;
      if (!id) continue;
      const name = NAME.exec(opts)?.groups?.name;
      cells.push({ id, code: "", ...(name ? { name: parseName(name) } : {}) });
      body = [];
    } else body?.push(raw);
  }
  close();
  return cells;
}

function parseName(json: string): string {
  try {
    return String(JSON.parse(json));
  } catch {
    return json;
  }
}

/** The cell `id` of a notebook text, or undefined when it has none. */
export function cellOf(text: string, id: string): SnapshotCell | undefined {
  return snapshotCells(text).find((c) => c.id === id);
}

/** Whether a run was started from a Flowbook cell (it carries Flowbook's provenance tags). */
export function fromFlowbook(run: Run): boolean {
  return tagOf(run, TAG.cellId) !== undefined && tagOf(run, TAG.codeHash) !== undefined;
}

/**
 * The run's upstream values by name, each as JSON text (`"adam"`, `0.1`), or undefined when the
 * run has no readable `flowbook.upstream` tag (logged elsewhere, or before Flowbook recorded it).
 */
export function upstreamOf(run: Run): Map<string, string> | undefined {
  const raw = tagOf(run, TAG.upstream);
  if (raw === undefined) return undefined;
  try {
    const parsed = JSON.parse(raw) as unknown;
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return undefined;
    return new Map(Object.entries(parsed).map(([k, v]) => [k, k === OMITTED_KEY ? String(v) : JSON.stringify(v)]));
  } catch {
    return undefined;
  }
}

/** The run's notebook snapshot text, or null when the run has none (404). */
export async function fetchSnapshot(api: TrackingApi, runId: string): Promise<string | null> {
  const res = await fetch(api.artifactUrl(runId, SNAPSHOT_PATH));
  if (res.status === 404) return null;
  if (!res.ok) throw new Error(`could not read the notebook snapshot of run ${runId} (HTTP ${res.status})`);
  return res.text();
}

/** Hex SHA-256 of UTF-8 text: the kernel's `flowbook.codeHash` of a cell's code. */
export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Where a run's snapshot opens as a new notebook: beside the original, named after the run. */
export function snapshotNotebookPath(notebookPath: string, runId: string): string {
  const stem = notebookPath.replace(/\.ts$/, "");
  return `${stem}.run-${runId.slice(0, 8)}.ts`;
}
