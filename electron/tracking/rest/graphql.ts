/**
 * `/graphql`: MLflow's GraphQL schema (mlflow/server/graphql/, 2.12.2, plus the
 * `mlflowGetMetricHistoryBulkInterval` and `mlflowListArtifacts` queries later UIs send) over the
 * store. Names are camelCase on the wire and snake_case in the store's entities; unset proto fields
 * read as their defaults ("" and "0"), enums by name, int64 (`LongString`) as strings. The answer is
 * MLflow's `{"data": …, "errors": [messages] | null}`, always with status 200.
 */
import { normalizeArtifactPath } from "../artifacts/index.ts";
import { MlflowError, RUN_STATUSES, type TrackingStore } from "../types.ts";
import type { LocalArtifactRepo } from "../artifacts/index.ts";
import { GqlSyntaxError, parseGraphql, type GqlDocument, type GqlType, type GqlValue, type Operation, type Selection } from "./graphql-parse.ts";
import { bulkIntervalByStep } from "./step-sample.ts";

/** What resolvers reach. */
export interface GraphqlContext {
  store: TrackingStore;
  repo: LocalArtifactRepo;
}

type Resolver = (parent: any, args: Record<string, unknown>, ctx: GraphqlContext) => unknown;
/** A field: its type (`Name`, `[Name]`), its arguments' input types, and how to read it (default: the snake_case key). */
interface FieldDef {
  type: string;
  args?: Record<string, string>;
  resolve?: Resolver;
}

const SCALARS = new Set(["String", "Float", "Boolean", "Int", "LongString"]);
const ENUMS: Record<string, readonly string[]> = {
  MlflowRunStatus: RUN_STATUSES,
  MlflowModelVersionStatus: ["PENDING_REGISTRATION", "FAILED_REGISTRATION", "READY"],
};
const keyValue = { key: { type: "String" }, value: { type: "String" } };

/** Input object types: field name → input type. */
const INPUTS: Record<string, Record<string, string>> = {
  MlflowGetExperimentInput: { experimentId: "String" },
  MlflowGetRunInput: { runId: "String", runUuid: "String" },
  MlflowSearchModelVersionsInput: { filter: "String", maxResults: "LongString", orderBy: "[String]", pageToken: "String" },
  MlflowGetMetricHistoryBulkIntervalInput: { runIds: "[String]", metricKey: "String", startStep: "Int", endStep: "Int", maxResults: "Int" },
  MlflowListArtifactsInput: { runId: "String", runUuid: "String", path: "String", pageToken: "String" },
};

function snake(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

const OBJECTS: Record<string, Record<string, FieldDef>> = {
  Query: {
    mlflowGetExperiment: {
      type: "MlflowGetExperimentResponse",
      args: { input: "MlflowGetExperimentInput" },
      resolve: async (_p, { input }, { store }) => ({ experiment: await store.getExperiment(String(field(input, "experiment_id") ?? "")) }),
    },
    mlflowGetRun: {
      type: "MlflowGetRunResponse",
      args: { input: "MlflowGetRunInput" },
      resolve: async (_p, { input }, { store }) => ({
        run: await store.getRun(String(field(input, "run_id") || field(input, "run_uuid") || "")),
      }),
    },
    mlflowSearchModelVersions: {
      type: "MlflowSearchModelVersionsResponse",
      args: { input: "MlflowSearchModelVersionsInput" },
      resolve: async (_p, { input }, { store }) => {
        const page = await store.searchModelVersions({
          filter: field(input, "filter") as string | undefined,
          max_results: field(input, "max_results") as number | undefined,
          order_by: field(input, "order_by") as string[] | undefined,
          page_token: field(input, "page_token") as string | undefined,
        });
        return { model_versions: page.items, next_page_token: page.next_page_token };
      },
    },
    mlflowGetMetricHistoryBulkInterval: {
      type: "MlflowGetMetricHistoryBulkIntervalResponse",
      args: { input: "MlflowGetMetricHistoryBulkIntervalInput" },
      resolve: async (_p, { input }, { store }) => ({
        metrics: await bulkIntervalByStep(store, {
          run_ids: (field(input, "run_ids") as string[] | undefined) ?? [],
          metric_key: String(field(input, "metric_key") ?? ""),
          start_step: field(input, "start_step") as number | undefined,
          end_step: field(input, "end_step") as number | undefined,
          max_results: field(input, "max_results") as number | undefined,
        }),
      }),
    },
    mlflowListArtifacts: {
      type: "MlflowListArtifactsResponse",
      args: { input: "MlflowListArtifactsInput" },
      resolve: async (_p, { input }, { store, repo }) => {
        const path = normalizeArtifactPath(field(input, "path") as string | undefined);
        const run = await store.getRun(String(field(input, "run_id") || field(input, "run_uuid") || ""));
        return { root_uri: run.info.artifact_uri, files: await repo.listArtifacts(run.info.artifact_uri, path) };
      },
    },
    test: { type: "Test", args: { inputString: "String" }, resolve: (_p, a) => ({ output: a.inputString }) },
  },
  Mutation: {
    testMutation: { type: "TestMutation", args: { inputString: "String" }, resolve: (_p, a) => ({ output: a.inputString }) },
  },
  Test: { output: { type: "String" } },
  TestMutation: { output: { type: "String" } },
  MlflowGetExperimentResponse: { experiment: { type: "MlflowExperiment" } },
  MlflowGetRunResponse: { run: { type: "MlflowRunExtension" } },
  MlflowSearchModelVersionsResponse: { modelVersions: { type: "[MlflowModelVersion]" }, nextPageToken: { type: "String" } },
  MlflowGetMetricHistoryBulkIntervalResponse: { metrics: { type: "[MlflowMetricWithRunId]" }, apiError: { type: "ApiError" } },
  MlflowListArtifactsResponse: {
    rootUri: { type: "String" },
    files: { type: "[MlflowFileInfo]" },
    nextPageToken: { type: "String" },
    apiError: { type: "ApiError" },
  },
  ApiError: { code: { type: "String" }, message: { type: "String" } },
  MlflowFileInfo: { path: { type: "String" }, isDir: { type: "Boolean" }, fileSize: { type: "LongString" } },
  MlflowExperiment: {
    experimentId: { type: "String" },
    name: { type: "String" },
    artifactLocation: { type: "String" },
    lifecycleStage: { type: "String" },
    lastUpdateTime: { type: "LongString" },
    creationTime: { type: "LongString" },
    tags: { type: "[MlflowExperimentTag]" },
  },
  MlflowExperimentTag: keyValue,
  MlflowRunExtension: {
    info: { type: "MlflowRunInfo" },
    data: { type: "MlflowRunData" },
    inputs: { type: "MlflowRunInputs" },
    experiment: { type: "MlflowExperiment", resolve: (run, _a, { store }) => store.getExperiment(run.info.experiment_id) },
    modelVersions: {
      type: "[MlflowModelVersion]",
      resolve: async (run, _a, { store }) => (await store.searchModelVersions({ filter: `run_id='${run.info.run_id}'` })).items,
    },
  },
  MlflowRunInfo: {
    runId: { type: "String" },
    runUuid: { type: "String", resolve: (info) => info.run_uuid ?? info.run_id },
    runName: { type: "String" },
    experimentId: { type: "String" },
    userId: { type: "String" },
    status: { type: "MlflowRunStatus" },
    startTime: { type: "LongString" },
    endTime: { type: "LongString" },
    artifactUri: { type: "String" },
    lifecycleStage: { type: "String" },
  },
  MlflowRunData: { metrics: { type: "[MlflowMetric]" }, params: { type: "[MlflowParam]" }, tags: { type: "[MlflowRunTag]" } },
  MlflowMetric: { key: { type: "String" }, value: { type: "Float" }, timestamp: { type: "LongString" }, step: { type: "LongString" } },
  MlflowMetricWithRunId: {
    key: { type: "String" },
    value: { type: "Float" },
    timestamp: { type: "LongString" },
    step: { type: "LongString" },
    runId: { type: "String" },
  },
  MlflowParam: keyValue,
  MlflowRunTag: keyValue,
  MlflowInputTag: keyValue,
  MlflowModelVersionTag: keyValue,
  MlflowRunInputs: { datasetInputs: { type: "[MlflowDatasetInput]" } },
  MlflowDatasetInput: { tags: { type: "[MlflowInputTag]" }, dataset: { type: "MlflowDataset" } },
  MlflowDataset: {
    name: { type: "String" },
    digest: { type: "String" },
    sourceType: { type: "String" },
    source: { type: "String" },
    schema: { type: "String" },
    profile: { type: "String" },
  },
  MlflowModelVersion: {
    name: { type: "String" },
    version: { type: "String" },
    creationTimestamp: { type: "LongString" },
    lastUpdatedTimestamp: { type: "LongString" },
    userId: { type: "String" },
    currentStage: { type: "String" },
    description: { type: "String" },
    source: { type: "String" },
    runId: { type: "String" },
    status: { type: "MlflowModelVersionStatus" },
    statusMessage: { type: "String" },
    tags: { type: "[MlflowModelVersionTag]" },
    runLink: { type: "String" },
    aliases: { type: "[String]" },
  },
};

function field(input: unknown, key: string): unknown {
  return input !== null && typeof input === "object" ? (input as Record<string, unknown>)[key] : undefined;
}

class QueryError extends Error {}

// ─── argument values ────────────────────────────────────────────────────────────────────────────

/** A literal or variable coerced to an input type; input objects come out with snake_case keys. */
function coerce(value: GqlValue | { kind: "json"; value: unknown }, type: string, vars: Record<string, unknown>): unknown {
  if (value.kind === "variable") {
    return vars[value.name] === undefined || vars[value.name] === null ? undefined : coerce({ kind: "json", value: vars[value.name] }, type, vars);
  }
  if (value.kind === "null") return undefined;
  const list = /^\[(.+)\]$/.exec(type);
  if (list) {
    const item = list[1]!;
    if (value.kind === "list") return value.values.map((v) => coerce(v, item, vars));
    if (value.kind === "json") return Array.isArray(value.value) ? value.value.map((v) => coerce({ kind: "json", value: v }, item, vars)) : [coerce(value, item, vars)];
    return [coerce(value, item, vars)];
  }
  const fields = INPUTS[type];
  if (fields) {
    const entries: [string, GqlValue | { kind: "json"; value: unknown }][] =
      value.kind === "object"
        ? value.fields
        : value.kind === "json" && value.value !== null && typeof value.value === "object" && !Array.isArray(value.value)
          ? Object.entries(value.value as Record<string, unknown>).map(([k, v]) => [k, { kind: "json", value: v }])
          : bad(`Expected type '${type}' to be an object.`);
    const out: Record<string, unknown> = {};
    for (const [k, v] of entries) {
      const fieldType = fields[k] ?? bad(`Field '${k}' is not defined by type '${type}'.`);
      const c = coerce(v, fieldType, vars);
      if (c !== undefined) out[snake(k)] = c;
    }
    return out;
  }
  const raw = value.kind === "json" ? value.value : value.kind === "list" || value.kind === "object" ? bad(`${type} cannot represent a non-scalar value.`) : value.value;
  switch (type) {
    case "String":
      return typeof raw === "string" ? raw : bad(`String cannot represent a non string value: ${JSON.stringify(raw)}`);
    case "Boolean":
      return typeof raw === "boolean" ? raw : bad(`Boolean cannot represent a non boolean value: ${JSON.stringify(raw)}`);
    case "Int":
    case "LongString": {
      const n = typeof raw === "number" ? raw : typeof raw === "string" && /^-?\d+$/.test(raw) && (value.kind !== "string" || type === "LongString") ? Number(raw) : NaN;
      return Number.isSafeInteger(n) ? n : bad(`${type} cannot represent non-integer value: ${JSON.stringify(raw)}`);
    }
    default:
      return bad(`Unknown type '${type}'.`);
  }
}

function bad(message: string): never {
  throw new QueryError(message);
}

// ─── execution ─────────────────────────────────────────────────────────────────────────────────

interface Run {
  doc: GqlDocument;
  vars: Record<string, unknown>;
  ctx: GraphqlContext;
  errors: string[];
}

/** The fields a selection set asks of an object type, fragments expanded (each fragment once per path). */
function collect(run: Run, type: string, selections: Selection[], seen: Set<string> = new Set()): Extract<Selection, { kind: "field" }>[] {
  const out: Extract<Selection, { kind: "field" }>[] = [];
  for (const s of selections) {
    if (s.kind === "field") out.push(s);
    else if (s.kind === "inline") {
      if (!s.on || s.on === type) out.push(...collect(run, type, s.selections, seen));
    } else {
      if (seen.has(s.name)) bad(`Cannot spread fragment '${s.name}' within itself.`);
      const fragment = run.doc.fragments.get(s.name) ?? bad(`Unknown fragment '${s.name}'.`);
      if (fragment.on === type) out.push(...collect(run, type, fragment.selections, new Set([...seen, s.name])));
    }
  }
  return out;
}

/** Checks every field against the schema before anything runs, as GraphQL's validation does. */
function validate(run: Run, type: string, selections: Selection[] | undefined, depth = 0): void {
  if (depth > 32) bad("Query is nested too deeply.");
  const fields = OBJECTS[type]!;
  if (!selections) bad(`Field of type '${type}' must have a selection of subfields.`);
  for (const f of collect(run, type, selections)) {
    if (f.name === "__typename") continue;
    const def = fields[f.name] ?? bad(`Cannot query field '${f.name}' on type '${type}'.`);
    for (const [arg] of f.args) if (!def.args?.[arg]) bad(`Unknown argument '${arg}' on field '${type}.${f.name}'.`);
    const inner = def.type.replace(/^\[|\]$/g, "");
    if (OBJECTS[inner]) validate(run, inner, f.selections, depth + 1);
    else if (f.selections) bad(`Field '${f.name}' must not have a selection since type '${def.type}' has no subfields.`);
  }
}

const DEFAULTS: Record<string, unknown> = { String: "", LongString: "0", Float: 0, Boolean: false, Int: 0 };

async function complete(run: Run, type: string, value: unknown, selections: Selection[] | undefined): Promise<unknown> {
  const list = /^\[(.+)\]$/.exec(type);
  if (list) {
    const items = Array.isArray(value) ? value : [];
    const out = [];
    for (const item of items) out.push(await complete(run, list[1]!, item, selections));
    return out;
  }
  if (OBJECTS[type]) return execute(run, type, value ?? {}, selections!);
  if (ENUMS[type]) return value === undefined || value === null ? ENUMS[type]![0] : value;
  if (value === undefined || value === null) return DEFAULTS[type] ?? null;
  if (type === "LongString") return String(value);
  if (type === "Float") return typeof value === "number" && Number.isFinite(value) ? value : null;
  return value;
}

async function execute(run: Run, type: string, parent: any, selections: Selection[]): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const f of collect(run, type, selections)) {
    const key = f.alias ?? f.name;
    if (f.name === "__typename") {
      out[key] = type;
      continue;
    }
    const def = OBJECTS[type]![f.name]!;
    try {
      const args: Record<string, unknown> = {};
      for (const [name, v] of f.args) args[name] = coerce(v, def.args![name]!, run.vars);
      const value = def.resolve ? await def.resolve(parent, args, run.ctx) : parent?.[snake(f.name)];
      out[key] = await complete(run, def.type, value, f.selections);
    } catch (error) {
      if (!(error instanceof MlflowError || error instanceof QueryError)) throw error;
      run.errors.push(error.message);
      out[key] = null;
    }
  }
  return out;
}

/** A constant literal as the JSON a client would have sent for it. */
function literal(v: GqlValue): unknown {
  switch (v.kind) {
    case "int":
    case "float":
      return Number(v.value);
    case "string":
    case "enum":
    case "boolean":
      return v.value;
    case "list":
      return v.values.map(literal);
    case "object":
      return Object.fromEntries(v.fields.map(([k, x]) => [k, literal(x)]));
    default:
      return null;
  }
}

function variableValues(op: Operation, given: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const named = (t: GqlType): string => (t.kind === "named" ? t.name : named(t.of));
  for (const v of op.variables) {
    const value = given[v.name] ?? (v.default ? literal(v.default) : undefined);
    if ((value === undefined || value === null) && v.type.kind === "non-null") bad(`Variable '$${v.name}' of required type '${named(v.type)}!' was not provided.`);
    if (!INPUTS[named(v.type)] && !SCALARS.has(named(v.type))) bad(`Unknown type '${named(v.type)}'.`);
    out[v.name] = value;
  }
  return out;
}

/** Runs one GraphQL request; never throws for a bad query (errors go in the answer). */
export async function runGraphql(
  ctx: GraphqlContext,
  query: unknown,
  variables: unknown,
  operationName: unknown,
): Promise<{ data: unknown; errors: string[] | null }> {
  const run: Run = { doc: { operations: [], fragments: new Map() }, vars: {}, ctx, errors: [] };
  try {
    if (typeof query !== "string" || query.trim() === "") bad("Must provide query string.");
    if (variables !== undefined && variables !== null && (typeof variables !== "object" || Array.isArray(variables))) bad("Variables must be provided as an object.");
    run.doc = parseGraphql(query);
    const ops = run.doc.operations;
    const op =
      typeof operationName === "string" && operationName !== ""
        ? (ops.find((o) => o.name === operationName) ?? bad(`Unknown operation named '${operationName}'.`))
        : ops.length === 1
          ? ops[0]!
          : bad("Must provide operation name if query contains multiple operations.");
    if (op.type === "subscription") bad("Subscriptions are not supported.");
    run.vars = variableValues(op, (variables as Record<string, unknown>) ?? {});
    const root = op.type === "query" ? "Query" : "Mutation";
    validate(run, root, op.selections);
    const data = await execute(run, root, {}, op.selections);
    return { data, errors: run.errors.length ? run.errors : null };
  } catch (error) {
    if (error instanceof QueryError || error instanceof GqlSyntaxError) {
      return { data: null, errors: [error.message] };
    }
    throw error;
  }
}
