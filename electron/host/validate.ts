/**
 * Run-time validation of every inbound `HostCommand`. Renderer input crosses a process (and, in
 * browser mode, a network socket), so the host trusts nothing about its shape: types, sizes and
 * a tracking call's method and argument kinds are checked here, and a bad command becomes a value, never a throw.
 */
import type { CellSource, HostCommand, Output, RequestId, RunMode, WidgetId, WidgetSpec } from "../protocol.ts";
import { widgetInputProblem } from "../common/widget-values.ts";
import { limitsProblem } from "../notebook/index.ts";
import { checkTrackingCall } from "../tracking/calls.ts";
import { appSettingsProblem } from "./app-settings.ts";

/** The spec of the widget with this id among the open notebook's shown outputs, if one is shown. */
export type WidgetLookup = (id: WidgetId) => WidgetSpec | undefined;

/**
 * The widget `id` among `outputs` (a cell's output, or an item of a stack). Only top-level widgets
 * count: an element of a form, array or dictionary takes its inputs through the composite's id.
 */
export function findWidget(outputs: Iterable<Output>, id: WidgetId): WidgetSpec | undefined {
  for (const output of outputs) {
    if (output.kind === "widget" && output.widget.id === id) return output.widget;
    if (output.kind === "stack") {
      const found = findWidget(output.items, id);
      if (found) return found;
    }
  }
  return undefined;
}

/** Limits on inbound commands; generous for real notebooks, small enough to bound memory. */
export const LIMITS = {
  cells: 5000,
  codeChars: 1_000_000,
  notebookChars: 10_000_000,
  pathChars: 4096,
  idChars: 128,
  nameChars: 1000,
  requestIdChars: 128,
  urlChars: 2048,
} as const;

/** The outcome of validation: the typed command, or why it was refused (with its requestId when readable). */
export type Validated =
  | { ok: true; command: HostCommand }
  | { ok: false; error: string; requestId?: RequestId };

class Invalid extends Error {}

const ID = /^[A-Za-z0-9_-]+$/;
const RUN_MODES: readonly RunMode[] = ["autorun", "lazy"];

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function str(v: unknown, field: string, max: number): string {
  if (typeof v !== "string") throw new Invalid(`'${field}' must be a string`);
  if (v.length > max) throw new Invalid(`'${field}' is longer than ${max} characters`);
  return v;
}

function id(v: unknown, field: string): string {
  const s = str(v, field, LIMITS.idChars);
  if (!ID.test(s)) throw new Invalid(`'${field}' must match [A-Za-z0-9_-]+`);
  return s;
}

function path(v: unknown, field: string): string {
  const s = str(v, field, LIMITS.pathChars);
  if (s === "" || s.includes("\0")) throw new Invalid(`'${field}' must be a non-empty path`);
  return s;
}

/**
 * An MLflow server's root: `http(s)://host[:port][/base/path]`, nothing else; returns it without
 * trailing slashes, or why it is not one (a message the connection dialog shows as is).
 */
export function parseServerUrl(text: string): { url: string } | { error: string } {
  let u: URL;
  try {
    u = new URL(text.trim());
  } catch {
    return { error: `'${text}' is not a URL; expected http://host:port` };
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") return { error: `expected an http:// or https:// URL, not ${u.protocol}` };
  if (u.username || u.password) return { error: "user names and passwords in the URL are not supported" };
  if (u.search || u.hash) return { error: "the URL must not have a ?query or #fragment" };
  return { url: `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, "")}` };
}

function serverUrl(v: unknown, field: string): string {
  const parsed = parseServerUrl(str(v, field, LIMITS.urlChars));
  if ("error" in parsed) throw new Invalid(`'${field}': ${parsed.error}`);
  return parsed.url;
}

function config(v: unknown, field: string): void {
  if (!isRecord(v)) throw new Invalid(`'${field}' must be an object`);
  if (v.name !== undefined) str(v.name, `${field}.name`, LIMITS.nameChars);
  for (const flag of ["hideCode", "disabled"] as const) {
    if (v[flag] !== undefined && typeof v[flag] !== "boolean") throw new Invalid(`'${field}.${flag}' must be a boolean`);
  }
}

function cells(v: unknown): CellSource[] {
  if (!Array.isArray(v)) throw new Invalid("'cells' must be an array");
  if (v.length > LIMITS.cells) throw new Invalid(`'cells' has more than ${LIMITS.cells} cells`);
  const seen = new Set<string>();
  v.forEach((c: unknown, i) => {
    if (!isRecord(c)) throw new Invalid(`'cells[${i}]' must be an object`);
    const cid = id(c.id, `cells[${i}].id`);
    if (seen.has(cid)) throw new Invalid(`duplicate cell id '${cid}'`);
    seen.add(cid);
    str(c.code, `cells[${i}].code`, LIMITS.codeChars);
    config(c.config, `cells[${i}].config`);
  });
  return v as CellSource[];
}

/** Throws `Invalid` unless `raw` is a well-formed command; the body of `validateHostCommand`. */
function check(raw: Record<string, unknown>, widgets: WidgetLookup): void {
  const type = raw.type as HostCommand["type"];
  switch (type) {
    case "execute-cells":
      cells(raw.cells);
      if (typeof raw.requestedAt !== "number" || !Number.isFinite(raw.requestedAt)) {
        throw new Invalid("'requestedAt' must be a finite number");
      }
      return;
    case "run-stale-cells":
    case "interrupt":
    case "list-notebooks":
    case "restart-kernel":
      return;
    case "delete-cell":
      id(raw.id, "id");
      return;
    case "set-cell-order":
      if (!Array.isArray(raw.ids) || raw.ids.length > LIMITS.cells) throw new Invalid("'ids' must be an array of cell ids");
      raw.ids.forEach((x: unknown, i) => id(x, `ids[${i}]`));
      return;
    case "set-cell-config":
      id(raw.id, "id");
      config(raw.config, "config");
      return;
    case "set-ui-value": {
      const spec = widgets(id(raw.id, "id") as WidgetId);
      if (!spec) throw new Invalid(`no widget '${raw.id}' is shown`);
      if (!("value" in raw)) throw new Invalid("'value' is required");
      const problem = widgetInputProblem(spec, raw.value);
      if (problem) throw new Invalid(`'value' for the ${spec.kind} '${raw.id}': ${problem}`);
      return;
    }
    case "set-run-mode":
      if (!RUN_MODES.includes(raw.mode as RunMode)) throw new Invalid("'mode' must be 'autorun' or 'lazy'");
      return;
    case "set-output-limits": {
      // Whole numbers within LIMIT_BOUNDS (common/output-bounds.ts), known keys only.
      const problem = limitsProblem(raw.limits);
      if (problem) throw new Invalid(`'limits': ${problem}`);
      return;
    }
    case "open-notebook":
    case "new-notebook":
      path(raw.path, "path");
      return;
    case "open-notebook-text":
      path(raw.path, "path");
      str(raw.text, "text", LIMITS.notebookChars);
      return;
    case "save-notebook":
      if (raw.path !== undefined) path(raw.path, "path");
      cells(raw.cells);
      return;
    case "set-app-settings": {
      const problem = appSettingsProblem(raw.settings);
      if (problem) throw new Invalid(`'settings': ${problem}`);
      return;
    }
    case "export-html":
      cells(raw.cells);
      if (typeof raw.includeCode !== "boolean") throw new Invalid("'includeCode' must be a boolean");
      return;
    case "tracking-call": {
      const call = checkTrackingCall(raw.method, raw.args);
      if (!call.ok) throw new Invalid(call.error);
      if (raw.store !== undefined && raw.store !== "app" && raw.store !== "view") throw new Invalid("'store' must be 'app' or 'view'");
      return;
    }
    case "set-view-source": {
      const source = raw.source;
      if (!isRecord(source)) throw new Invalid("'source' must be an object");
      if (source.kind === "remote") serverUrl(source.url, "source.url");
      else if (source.kind !== "local") throw new Invalid("'source.kind' must be 'local' or 'remote'");
      return;
    }
    case "test-view-source":
      serverUrl(raw.url, "url");
      return;
    case "serve-model":
      if (raw.action !== "start" && raw.action !== "stop" && raw.action !== "status") {
        throw new Invalid("'action' must be start, stop or status");
      }
      if (!/^(models|runs):\//.test(str(raw.modelUri, "modelUri", LIMITS.pathChars))) {
        throw new Invalid("'modelUri' must be a models:/ or runs:/ URI");
      }
      return;
    default: {
      const unknownType: never = type;
      throw new Invalid(`unknown command type '${String(unknownType)}'`);
    }
  }
}

const NEEDS_REQUEST_ID = new Set([
  "open-notebook", "new-notebook", "open-notebook-text", "save-notebook", "list-notebooks", "restart-kernel", "tracking-call", "serve-model",
  "set-app-settings", "export-html",
  "set-view-source", "test-view-source",
]);

/**
 * Validates an inbound message; never throws. A widget input is checked against the spec `widgets`
 * finds for it (types, ranges, options, file sizes: common/widget-values.ts); without a lookup,
 * no widget input passes.
 */
export function validateHostCommand(raw: unknown, widgets: WidgetLookup = () => undefined): Validated {
  if (!isRecord(raw)) return { ok: false, error: "a command must be a JSON object" };
  let requestId: RequestId | undefined;
  if (typeof raw.requestId === "string" && raw.requestId.length > 0 && raw.requestId.length <= LIMITS.requestIdChars) {
    requestId = raw.requestId as RequestId;
  }
  if (typeof raw.type !== "string") return { ok: false, error: "'type' must be a string", requestId };
  try {
    if (NEEDS_REQUEST_ID.has(raw.type) && !requestId) {
      throw new Invalid(`'${raw.type}' needs a 'requestId' of 1–${LIMITS.requestIdChars} characters`);
    }
    check(raw, widgets);
  } catch (err) {
    if (err instanceof Invalid) return { ok: false, error: `invalid '${raw.type}': ${err.message}`, requestId };
    throw err;
  }
  return { ok: true, command: raw as unknown as HostCommand };
}
