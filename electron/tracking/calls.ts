/**
 * The tracking channel's run-time check: every store method a renderer or kernel may call by name,
 * with the kind of each argument. The table is typed against `TrackingCalls`, so it cannot drift
 * from the interface: a method added, removed or retyped there fails the build until this table
 * says the same. A call that crosses a process is checked here before it reaches the store, which
 * still validates values (lengths, grammar) as the REST API does.
 */
import type { TrackingArgs, TrackingCalls, TrackingInvocation, TrackingMethod } from "./contract.ts";

/** The JSON kind of one argument type. */
type Kind<T> = T extends string ? "string" : T extends boolean ? "boolean" : T extends number ? "number" : T extends readonly unknown[] ? "array" : "object";
/** An argument's kind, with `?` when it may be left out. */
type ArgKind<T> = undefined extends T ? `${Kind<Exclude<T, undefined>>}?` : Kind<T>;
type ArgKinds<P extends unknown[]> = Required<{ [K in keyof P]: ArgKind<P[K]> }>;

/** Each callable method's argument kinds, in order. */
export const TRACKING_CALLS: { readonly [M in TrackingMethod]: ArgKinds<TrackingArgs<M>> } = {
  createExperiment: ["string", "string?", "array?"],
  getExperiment: ["string"],
  getExperimentByName: ["string"],
  searchExperiments: ["object"],
  deleteExperiment: ["string"],
  restoreExperiment: ["string"],
  renameExperiment: ["string", "string"],
  setExperimentTag: ["string", "string", "string"],
  deleteExperimentTag: ["string", "string"],
  createRun: ["object"],
  getRun: ["string"],
  updateRun: ["object"],
  deleteRun: ["string"],
  restoreRun: ["string"],
  searchRuns: ["object"],
  logMetric: ["string", "object"],
  logParam: ["string", "object"],
  setTag: ["string", "object"],
  deleteTag: ["string", "string"],
  logBatch: ["object"],
  logInputs: ["string", "array"],
  getMetricHistory: ["object"],
  getMetricHistoryBulkInterval: ["object"],
  createRegisteredModel: ["string", "array?", "string?"],
  renameRegisteredModel: ["string", "string"],
  updateRegisteredModel: ["string", "string"],
  deleteRegisteredModel: ["string"],
  getRegisteredModel: ["string"],
  searchRegisteredModels: ["object"],
  getLatestVersions: ["string", "array?"],
  setRegisteredModelTag: ["string", "string", "string"],
  deleteRegisteredModelTag: ["string", "string"],
  setRegisteredModelAlias: ["string", "string", "string"],
  deleteRegisteredModelAlias: ["string", "string"],
  getModelVersionByAlias: ["string", "string"],
  createModelVersion: ["object"],
  updateModelVersion: ["string", "string", "string"],
  transitionModelVersionStage: ["string", "string", "string", "boolean"],
  deleteModelVersion: ["string", "string"],
  getModelVersion: ["string", "string"],
  searchModelVersions: ["object"],
  getModelVersionDownloadUri: ["string", "string"],
  setModelVersionTag: ["string", "string", "string", "string"],
  deleteModelVersionTag: ["string", "string", "string"],
};

/** Whether `name` is a method the tracking channel carries (never `onChange`, `close`, or a prototype key). */
export function isTrackingMethod(name: string): name is TrackingMethod {
  return Object.hasOwn(TRACKING_CALLS, name);
}

function kindOf(value: unknown): string {
  if (Array.isArray(value)) return "array";
  if (value === null) return "null";
  return typeof value;
}

/**
 * Checks a call that arrived by name: the method exists and each argument has its declared kind.
 * Returns the typed invocation, or why it was refused (a sentence naming the method and argument).
 */
export function checkTrackingCall(method: unknown, args: unknown): { ok: true; call: TrackingInvocation } | { ok: false; error: string } {
  if (typeof method !== "string" || !isTrackingMethod(method)) {
    return { ok: false, error: `unknown tracking method '${String(method).slice(0, 64)}'` };
  }
  const kinds: readonly string[] = TRACKING_CALLS[method];
  if (!Array.isArray(args)) return { ok: false, error: `${method}: 'args' must be an array` };
  if (args.length > kinds.length) return { ok: false, error: `${method} takes at most ${kinds.length} arguments, got ${args.length}` };
  for (let i = 0; i < kinds.length; i++) {
    const optional = kinds[i].endsWith("?");
    const want = optional ? kinds[i].slice(0, -1) : kinds[i];
    const got = kindOf(args[i]);
    if (got === want || (optional && (got === "undefined" || got === "null"))) continue;
    return { ok: false, error: `${method}: argument ${i + 1} must be ${optional ? `${want} or absent` : `a${want === "object" || want === "array" ? "n" : ""} ${want}`}, got ${got}` };
  }
  return { ok: true, call: { method, args } as TrackingInvocation };
}

/** Calls `call.method` on `store` with its arguments; the one place a typed invocation meets the store. */
export function invokeTracking(store: TrackingCalls, call: TrackingInvocation): Promise<unknown> {
  const fn = store[call.method] as (...a: unknown[]) => Promise<unknown>;
  return fn.apply(store, call.args);
}
