/**
 * `models:/` and `runs:/` URIs: parsing with MLflow's rules (`_parse_model_uri`,
 * `RunsArtifactRepository.parse_runs_uri`) and resolving a model URI to the version it names, over
 * any store. Pure, so the registry and the client (in the kernel too) share it.
 */
import { MlflowError } from "./types.ts";
import type { ModelVersion, TrackingStore } from "./types.ts";

/** What a `models:/` URI names. */
export type ModelUri =
  | { kind: "version"; name: string; version: string }
  | { kind: "stage"; name: string; stage: string }
  | { kind: "latest"; name: string }
  | { kind: "alias"; name: string; alias: string };

/** A `runs:/<run_id>/<path>` URI's parts; `path` is "" for the run's artifact root. */
export interface RunsUri {
  runId: string;
  path: string;
}

/** The registry reads a model URI needs; a `TrackingStore` or a `SqliteRegistry` both fit. */
export type ModelVersionSource = Pick<TrackingStore, "getModelVersion" | "getLatestVersions" | "getModelVersionByAlias" | "getRegisteredModel">;

function invalid(message: string): MlflowError {
  return new MlflowError("INVALID_PARAMETER_VALUE", message);
}

/** Splits `scheme:[//netloc]path`, dropping any query or fragment as a URL parser would. */
function splitUri(uri: string, scheme: string): { netloc: string; path: string } | null {
  if (typeof uri !== "string" || !uri.toLowerCase().startsWith(`${scheme}:`)) return null;
  let rest = uri.slice(scheme.length + 1).replace(/[?#].*$/s, "");
  let netloc = "";
  if (rest.startsWith("//")) {
    const end = rest.indexOf("/", 2);
    netloc = end < 0 ? rest.slice(2) : rest.slice(2, end);
    rest = end < 0 ? "" : rest.slice(end);
  }
  return { netloc, path: rest };
}

/**
 * Parses `models:/<name>/<version>`, `models:/<name>/<stage>`, `models:/<name>/latest` and
 * `models:/<name>@<alias>`. Anything else (other schemes, a remote registry in the authority,
 * extra path parts, empty names) is INVALID_PARAMETER_VALUE naming the accepted forms.
 */
export function parseModelUri(uri: string): ModelUri {
  const improper = invalid(
    `Not a proper models:/ URI: ${uri}. Models URIs must be of the form 'models:/model_name/suffix' or 'models:/model_name@alias' where suffix is a model version, stage, or the string 'latest' and where alias is a registered model alias. Only one of suffix or alias can be defined at a time.`,
  );
  const parts = splitUri(uri, "models");
  if (!parts || parts.netloc !== "" || !parts.path.startsWith("/") || parts.path.length <= 1) throw improper;
  const segments = parts.path.replace(/^\/+/, "").split("/");
  if (segments.length > 2 || segments[0]!.trim() === "") throw improper;
  if (segments.length === 2) {
    const [name, suffix] = segments as [string, string];
    if (name.includes("@") || suffix === "") throw improper;
    if (/^\d+$/.test(suffix)) return { kind: "version", name, version: suffix };
    if (suffix.toLowerCase() === "latest") return { kind: "latest", name };
    return { kind: "stage", name, stage: suffix };
  }
  const at = segments[0]!.lastIndexOf("@");
  if (at <= 0 || at === segments[0]!.length - 1) throw improper;
  return { kind: "alias", name: segments[0]!.slice(0, at), alias: segments[0]!.slice(at + 1) };
}

/** Parses `runs:/<run_id>[/<path>]`; a missing run id or a remote authority is INVALID_PARAMETER_VALUE. */
export function parseRunsUri(uri: string): RunsUri {
  const parts = splitUri(uri, "runs");
  const runId = parts?.path.slice(1).split("/", 1)[0] ?? "";
  if (!parts || parts.netloc !== "" || !parts.path.startsWith("/") || runId === "") {
    throw invalid(
      `Not a proper runs:/ URI: ${uri}. Runs URIs must be of the form 'runs:/<run_id>/run-relative/path/to/artifact'`,
    );
  }
  return { runId, path: parts.path.slice(1 + runId.length).replace(/^\/+|\/+$/g, "") };
}

/**
 * The version a `models:/` URI names. A stage or `latest` means the highest version among the
 * latest per stage, as MLflow's client picks it; none there is RESOURCE_DOES_NOT_EXIST, an unknown
 * stage INVALID_PARAMETER_VALUE (from the registry).
 */
export async function resolveModelVersion(registry: ModelVersionSource, uri: string): Promise<ModelVersion> {
  const parsed = parseModelUri(uri);
  switch (parsed.kind) {
    case "version":
      return registry.getModelVersion(parsed.name, parsed.version);
    case "alias":
      try {
        return await registry.getModelVersionByAlias(parsed.name, parsed.alias);
      } catch (error) {
        throw await aliasError(registry, parsed.name, parsed.alias, error);
      }
    case "stage":
    case "latest": {
      const stages = parsed.kind === "stage" ? [parsed.stage] : undefined;
      const candidates = await registry.getLatestVersions(parsed.name, stages);
      const newest = candidates.reduce<ModelVersion | undefined>(
        (best, v) => (!best || Number(v.version) > Number(best.version) ? v : best),
        undefined,
      );
      if (!newest) {
        const where = parsed.kind === "stage" ? ` and stage '${parsed.stage}'` : "";
        throw new MlflowError("RESOURCE_DOES_NOT_EXIST", `No versions of model with name '${parsed.name}'${where} found`);
      }
      return newest;
    }
  }
}

/**
 * MLflow's "Registered model alias champion not found." for `models:/name@alias` says neither
 * whether the model exists nor what to use instead: this error says which of the two is missing.
 */
async function aliasError(registry: ModelVersionSource, name: string, alias: string, error: unknown): Promise<unknown> {
  if (!(error instanceof MlflowError)) return error;
  let aliases: string[];
  try {
    aliases = (await registry.getRegisteredModel(name)).aliases.map((a) => a.alias);
  } catch (missing) {
    if (missing instanceof MlflowError && missing.code === "RESOURCE_DOES_NOT_EXIST") {
      return new MlflowError("RESOURCE_DOES_NOT_EXIST", `no registered model named '${name}' (so no alias '${alias}')`);
    }
    return error;
  }
  const known = aliases.length ? `its aliases: ${aliases.join(", ")}` : "it has no aliases";
  return new MlflowError(error.code, `registered model '${name}' exists but has no alias '${alias}' (${known})`);
}
