/**
 * The shape of a route table entry. JSON API routes declare their fields and return the response
 * object; the server decodes, validates and encodes around them, so handlers hold only the call into
 * the store. Raw routes (artifact bytes, plain text) write the response themselves.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { LocalArtifactRepo } from "../artifacts/index.ts";
import type { TrackingStore } from "../types.ts";
import type { Args, FieldSpecs } from "./fields.ts";

/** HTTP methods the tracking API uses. */
export type Method = "GET" | "POST" | "PATCH" | "DELETE" | "PUT";

/** How the server stores and serves artifacts (mirrors `mlflow server` flags). */
export interface ArtifactSettings {
  /** Absolute local folder (or file: URI) behind `mlflow-artifacts:/` URIs and the artifact proxy. */
  artifactsDestination: string;
  /** Whether the `/api/2.0/mlflow-artifacts/` proxy is enabled. */
  serveArtifacts: boolean;
}

/** What every handler receives besides its arguments. */
export interface RouteContext {
  store: TrackingStore;
  artifacts: ArtifactSettings;
  /** Reads and writes artifact roots; `mlflow-artifacts:` resolves under `artifactsDestination`. */
  repo: LocalArtifactRepo;
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  /** A JSON route's decoded body (absent for GET and raw routes). */
  body?: Record<string, unknown>;
  /** Where `gateway-proxy` forwards (MLflow's MLFLOW_DEPLOYMENTS_TARGET); unset: no gateway. */
  deploymentsTarget?: string;
}

/** A JSON endpoint under `/api/2.0/mlflow/` and `/ajax-api/2.0/mlflow/`. */
export interface ApiRoute {
  methods: Method[];
  /** Path after the `/mlflow/` prefix, e.g. `runs/log-batch`. */
  path: string;
  fields: FieldSpecs;
  handle: (args: Record<string, unknown>, ctx: RouteContext) => Promise<object>;
}

/** Declares a JSON endpoint; the field spec types the handler's arguments. */
export function api<const F extends FieldSpecs>(
  methods: Method | Method[],
  path: string,
  fields: F,
  handle: (args: Args<F>, ctx: RouteContext) => Promise<object>,
): ApiRoute {
  return {
    methods: Array.isArray(methods) ? methods : [methods],
    path,
    fields,
    handle: handle as ApiRoute["handle"],
  };
}

/** An endpoint that writes its own response (bytes, text); `rest` is the raw (still %-encoded) path after `path/`. */
export interface RawRoute {
  methods: Method[];
  /** Full path; with `prefix`, also matches `path/<rest>`. */
  path: string;
  prefix?: boolean;
  handle: (ctx: RouteContext, rest: string) => Promise<void>;
}
