/**
 * The endpoints MLflow's server adds for its web UI (mlflow/server/__init__.py): `/graphql`, the
 * prompt lab's `runs/create-promptlab-run`, the deployments `gateway-proxy` and the run page's
 * `upload-artifact`, with MLflow's checks and messages.
 */
import { posix } from "node:path";
import { stringify } from "yaml";
import { normalizeArtifactPath } from "../artifacts/index.ts";
import { MAX_UPLOAD_ARTIFACT_BYTES } from "../limits.ts";
import { MlflowError, type KeyValue, type TrackingStore } from "../types.ts";
import { missing, parseArgs, queryFields, type Args } from "./fields.ts";
import { runGraphql } from "./graphql.ts";
import { readJsonBody } from "./json-body.ts";
import { sendJson } from "./json.ts";
import { pyJsonDumps } from "./py-json.ts";
import { api, type ApiRoute, type RawRoute, type RouteContext } from "./route.ts";
import { recordLoggedModel } from "./routes-runs.ts";

/** The version the prompt lab's model files name (the MLflow release this server speaks for). */
const MLFLOW_VERSION = "2.12.2";

function mustSpecify(what: string, value: unknown): void {
  if (value === undefined || value === null || value === "" || (Array.isArray(value) && value.length === 0)) {
    throw new MlflowError("INVALID_PARAMETER_VALUE", `CreatePromptlabRun request must specify ${what}.`);
  }
}

/** Writes the prompt lab's artifacts: its evaluation table and a model directory describing the prompt. */
async function writePromptlabArtifacts(
  ctx: RouteContext,
  rootUri: string,
  a: { prompt_template: string; prompt_parameters: KeyValue[]; model_parameters: KeyValue[]; model_route: string; model_input: string; model_output?: string; model_output_parameters: KeyValue[] },
  mlmodel: Record<string, unknown>,
): Promise<void> {
  const evalTable = {
    columns: [...a.prompt_parameters.map((p) => p.key), "prompt", "output", ...a.model_output_parameters.map((p) => p.key)],
    data: [[...a.prompt_parameters.map((p) => p.value), a.model_input, a.model_output ?? null, ...a.model_output_parameters.map((p) => p.value)]],
  };
  const parameters = {
    prompt_template: a.prompt_template,
    prompt_parameters: Object.fromEntries(a.prompt_parameters.map((p) => [p.key, p.value])),
    model_parameters: Object.fromEntries(a.model_parameters.map((p) => [p.key, p.value])),
    model_route: a.model_route,
  };
  const files: [string, string][] = [
    ["eval_results_table.json", pyJsonDumps(evalTable)],
    ["model/MLmodel", stringify(mlmodel)],
    ["model/parameters.yaml", stringify(parameters)],
    ["model/input_example.json", pyJsonDumps({ inputs: a.prompt_parameters.map((p) => p.value) })],
    ["model/requirements.txt", `mlflow[gateway]==${MLFLOW_VERSION}`],
  ];
  for (const [path, text] of files) await ctx.repo.writeArtifact(rootUri, path, Buffer.from(text));
}

/** MLflow's `_create_promptlab_run_impl`: a finished run holding the prompt, its parameters and output. */
async function createPromptlabRun(store: TrackingStore, ctx: RouteContext, a: PromptlabArgs) {
  const run = await store.createRun({
    experiment_id: a.experiment_id!,
    user_id: a.user_id ?? "unknown",
    start_time: a.start_time ?? Date.now(),
    tags: a.tags ?? [],
    run_name: a.run_name,
  });
  const runId = run.info.run_id;
  let status: "FINISHED" | "FAILED" = "FINISHED";
  try {
    const model_parameters = a.model_parameters ?? [];
    await store.logBatch({
      run_id: runId,
      params: [...model_parameters, { key: "model_route", value: a.model_route! }, { key: "prompt_template", value: a.prompt_template! }],
      tags: [
        { key: "mlflow.loggedArtifacts", value: pyJsonDumps([{ path: "eval_results_table.json", type: "table" }]) },
        { key: "mlflow.runSourceType", value: "PROMPT_ENGINEERING" },
      ],
    });
    const utc_time_created = new Date().toISOString().replace("T", " ").replace("Z", "000");
    const mlmodel = {
      artifact_path: "model",
      flavors: { python_function: { loader_module: "mlflow.promptlab", parameters_path: "parameters.yaml", env: { conda: "conda.yaml", virtualenv: "python_env.yaml" } } },
      mlflow_version: MLFLOW_VERSION,
      run_id: runId,
      utc_time_created,
    };
    await recordLoggedModel(store, runId, mlmodel);
    await writePromptlabArtifacts(
      ctx,
      run.info.artifact_uri,
      {
        prompt_template: a.prompt_template!,
        prompt_parameters: a.prompt_parameters!,
        model_parameters,
        model_route: a.model_route!,
        model_input: a.model_input!,
        model_output: a.model_output,
        model_output_parameters: a.model_output_parameters ?? [],
      },
      mlmodel,
    );
  } catch {
    status = "FAILED";
  }
  await store.updateRun({ run_id: runId, status, end_time: Date.now(), run_name: a.run_name });
  return store.getRun(runId);
}

const PROMPTLAB_FIELDS = {
  experiment_id: "string",
  run_name: "string",
  tags: "tags",
  prompt_template: "string",
  prompt_parameters: "tags",
  model_route: "string",
  model_parameters: "tags",
  model_input: "string",
  model_output: "string",
  model_output_parameters: "tags",
  mlflow_version: "string",
  user_id: "string",
  start_time: "int",
} as const;
type PromptlabArgs = Partial<Args<typeof PROMPTLAB_FIELDS>>;

/** The UI's JSON endpoints. */
export const uiRoutes: ApiRoute[] = [
  api("POST", "runs/create-promptlab-run", PROMPTLAB_FIELDS, async (a, ctx) => {
    for (const name of ["experiment_id", "prompt_template", "prompt_parameters", "model_route", "model_input", "mlflow_version"] as const) {
      mustSpecify(name, a[name]);
    }
    return { run: await createPromptlabRun(ctx.store, ctx, a) };
  }),
  // With no deployments target configured MLflow pretends an empty gateway is running.
  api(["GET", "POST"], "gateway-proxy", { gateway_path: "string" }, async (a, ctx) => {
    const target = ctx.deploymentsTarget;
    if (!target) return { endpoints: [] };
    if (!a.gateway_path) throw new MlflowError("INVALID_PARAMETER_VALUE", "Deployments proxy request must specify a gateway_path.");
    const body = ctx.req.method === "GET" ? undefined : ctx.body?.json_data;
    let res: Response;
    try {
      res = await fetch(`${target.replace(/\/+$/, "")}/${a.gateway_path.replace(/^\/+/, "")}`, {
        method: ctx.req.method,
        headers: body === undefined ? {} : { "Content-Type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(60_000),
      });
    } catch (error) {
      throw new MlflowError("TEMPORARILY_UNAVAILABLE", `Deployments proxy request failed: ${(error as Error).message}`);
    }
    const text = await res.text();
    if (res.status !== 200) {
      throw new MlflowError(res.status < 500 ? "BAD_REQUEST" : "TEMPORARILY_UNAVAILABLE", `Deployments proxy request failed with error code ${res.status}. Error message: ${text}`);
    }
    try {
      return JSON.parse(text) as object;
    } catch {
      throw new MlflowError("TEMPORARILY_UNAVAILABLE", "Deployments proxy request failed: the target did not answer JSON.");
    }
  }),
];

/** Reads a request body of at most `limit` bytes. */
async function readBody(ctx: RouteContext, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new MlflowError("INVALID_PARAMETER_VALUE", "Artifact size is too large. Max size is 10MB.");
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** The UI's raw endpoints. */
export const uiRawRoutes: RawRoute[] = [
  {
    methods: ["POST"],
    path: "/api/2.0/mlflow/upload-artifact",
    handle: async (ctx) => {
      const q = queryFields(ctx.url.searchParams);
      const runUuid = typeof q.run_uuid === "string" ? q.run_uuid : undefined;
      if (!runUuid) throw new MlflowError("INVALID_PARAMETER_VALUE", "Request must specify run_uuid.");
      const rawPath = typeof q.path === "string" ? q.path : undefined;
      if (!rawPath) throw new MlflowError("INVALID_PARAMETER_VALUE", "Request must specify path.");
      const path = normalizeArtifactPath(rawPath);
      if (path === "") throw new MlflowError("INVALID_PARAMETER_VALUE", "Invalid path");
      if (Number(ctx.req.headers["content-length"] ?? 0) > MAX_UPLOAD_ARTIFACT_BYTES) {
        throw new MlflowError("INVALID_PARAMETER_VALUE", "Artifact size is too large. Max size is 10MB.");
      }
      const data = await readBody(ctx, MAX_UPLOAD_ARTIFACT_BYTES);
      if (data.length === 0) throw new MlflowError("INVALID_PARAMETER_VALUE", "Request must specify data.");
      const run = await ctx.store.getRun(runUuid);
      await ctx.repo.writeArtifact(run.info.artifact_uri, posix.normalize(path), data);
      sendJson(ctx.res, 200, "{}");
    },
  },
  {
    methods: ["GET", "POST"],
    path: "/graphql",
    handle: async (ctx) => {
      let request: Record<string, unknown>;
      if (ctx.req.method === "GET") {
        const q = parseArgs({ query: "string", variables: "string", operationName: "string" }, queryFields(ctx.url.searchParams), true);
        let variables: unknown;
        try {
          variables = q.variables ? JSON.parse(q.variables) : undefined;
        } catch {
          throw new MlflowError("BAD_REQUEST", "Variables are not valid JSON.");
        }
        request = { query: q.query, variables, operationName: q.operationName };
      } else {
        request = (await readJsonBody(ctx.req)).body;
      }
      if (request.query === undefined) throw missing("query");
      const result = await runGraphql({ store: ctx.store, repo: ctx.repo }, request.query, request.variables, request.operationName);
      sendJson(ctx.res, 200, JSON.stringify(result));
    },
  },
];
