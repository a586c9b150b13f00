/**
 * The MLflow model directory for TF.js models: `MLmodel` (YAML, MLflow's fields) with a `tfjs`
 * flavor and the generic `js_function` flavor (Flowbook's analogue of `python_function`, so any
 * JS model loads the same way), `model.json` + `weights.bin` (TF.js layers format), and an
 * optional `input_example.json`. Saving and loading go through this one module.
 */
import { randomUUID } from "node:crypto";
import { mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import type * as Tf from "@tensorflow/tfjs";
import { MlflowError } from "../tracking/types.ts";
import { loadTf } from "./backend.ts";
import { signatureFromMlmodel, signatureToMlmodel, tensorSignature, toMatrix, type Signature } from "./signature.ts";

/** The module name recorded as the js_function loader, like python_function's loader_module. */
export const JS_LOADER_MODULE = "flowbook.ml.tfjs";
const MODEL_FILE = "model.json";
const WEIGHTS_FILE = "weights.bin";
const EXAMPLE_FILE = "input_example.json";

/** What `saveModelDir` records besides the model itself. */
export interface SaveModelOptions {
  artifactPath: string;
  runId?: string;
  signature?: Signature;
  /** A few input rows, saved as MLflow's input_example.json. */
  inputExample?: number[][];
}

/** The parsed MLmodel file. */
export interface MlModel {
  artifact_path?: string;
  flavors: Record<string, Record<string, unknown>>;
  run_id?: string;
  model_uuid?: string;
  utc_time_created?: string;
  signature?: Record<string, string | null>;
  saved_input_example_info?: Record<string, unknown>;
  model_size_bytes?: number;
  [key: string]: unknown;
}

/** A model loaded from a directory, ready to predict on any input `toMatrix` accepts. */
export interface LoadedModel {
  mlmodel: MlModel;
  signature?: Signature;
  model: Tf.LayersModel;
  /** Predictions, one row per input row. */
  predict(input: unknown): Promise<number[][]>;
}

/** MLflow's utc_time_created format: `YYYY-MM-DD HH:MM:SS.ffffff`. */
function utcTimeCreated(date: Date): string {
  return date.toISOString().replace("T", " ").replace("Z", "000");
}

function inferSignature(model: Tf.LayersModel): Signature | undefined {
  const inShape = model.inputs[0]?.shape;
  const outShape = model.outputs[0]?.shape;
  if (!inShape || !outShape) return undefined;
  const width = (shape: (number | null)[]) => shape.slice(1).reduce<number>((a, b) => a * (b ?? 1), 1);
  return tensorSignature(width(inShape), width(outShape));
}

/** Writes `model` as an MLflow model directory at `dir`; returns the MLmodel written. */
export async function saveModelDir(model: Tf.LayersModel, dir: string, opts: SaveModelOptions): Promise<MlModel> {
  const { tf, backend } = await loadTf();
  await mkdir(dir, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weights = tf.io.CompositeArrayBuffer.join(artifacts.weightData ?? new ArrayBuffer(0));
      const manifest = { modelTopology: artifacts.modelTopology, format: "layers-model", generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`, convertedBy: null, weightsManifest: [{ paths: [WEIGHTS_FILE], weights: artifacts.weightSpecs ?? [] }] };
      await writeFile(join(dir, MODEL_FILE), JSON.stringify(manifest));
      await writeFile(join(dir, WEIGHTS_FILE), new Uint8Array(weights));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
    }),
  );
  const signature = opts.signature ?? inferSignature(model);
  const mlmodel: MlModel = {
    artifact_path: opts.artifactPath,
    flavors: {
      js_function: { loader_module: JS_LOADER_MODULE, data: MODEL_FILE, runtime: `node ${process.versions.node}` },
      tfjs: { tfjs_version: tf.version.tfjs, model_format: "layers-model", data: MODEL_FILE, backend },
    },
    model_uuid: randomUUID().replace(/-/g, ""),
    ...(opts.runId ? { run_id: opts.runId } : {}),
    utc_time_created: utcTimeCreated(new Date()),
  };
  if (signature) mlmodel.signature = signatureToMlmodel(signature);
  if (opts.inputExample) {
    await writeFile(join(dir, EXAMPLE_FILE), JSON.stringify({ inputs: opts.inputExample }));
    mlmodel.saved_input_example_info = { artifact_path: EXAMPLE_FILE, type: "ndarray", format: "tf-serving" };
  }
  const sizes = await Promise.all([MODEL_FILE, WEIGHTS_FILE].map((f) => stat(join(dir, f)).then((s) => s.size)));
  mlmodel.model_size_bytes = sizes.reduce((a, b) => a + b, 0);
  await writeFile(join(dir, "MLmodel"), stringifyYaml(mlmodel));
  return mlmodel;
}

/** Reads and checks a directory's MLmodel file. */
export async function readMlModel(dir: string): Promise<MlModel> {
  let text: string;
  try {
    text = await readFile(join(dir, "MLmodel"), "utf8");
  } catch {
    throw new MlflowError("RESOURCE_DOES_NOT_EXIST", `No MLmodel file in ${dir}: not an MLflow model directory.`);
  }
  const parsed = parseYaml(text) as MlModel | null;
  if (!parsed || typeof parsed.flavors !== "object") {
    throw new MlflowError("INVALID_PARAMETER_VALUE", `The MLmodel file in ${dir} has no flavors.`);
  }
  return parsed;
}

/** Loads a model directory written by `saveModelDir` (the tfjs or js_function flavor). */
export async function loadModelDir(dir: string): Promise<LoadedModel> {
  const mlmodel = await readMlModel(dir);
  const flavor = mlmodel.flavors.tfjs ?? mlmodel.flavors.js_function;
  if (!flavor) {
    const found = Object.keys(mlmodel.flavors).join(", ");
    throw new MlflowError("INVALID_PARAMETER_VALUE", `The model has no tfjs or js_function flavor (found: ${found}).`);
  }
  const { tf } = await loadTf();
  const manifest = JSON.parse(await readFile(join(dir, String(flavor.data ?? MODEL_FILE)), "utf8"));
  const group = manifest.weightsManifest?.[0];
  const weightData = group ? new Uint8Array(await readFile(join(dir, group.paths[0]))).slice().buffer : new ArrayBuffer(0);
  const model = await tf.loadLayersModel(
    tf.io.fromMemory({ modelTopology: manifest.modelTopology, weightSpecs: group?.weights ?? [], weightData }),
  );
  const signature = signatureFromMlmodel(mlmodel.signature);
  return {
    mlmodel,
    signature,
    model,
    async predict(input: unknown) {
      const rows = toMatrix(input, signature);
      const out = tf.tidy(() => {
        const x = tf.tensor2d(rows);
        const shape = model.inputs[0]!.shape;
        // Models with multi-dimensional inputs (images) take each flat row reshaped back.
        const fitted = shape.length > 2 ? x.reshape([rows.length, ...(shape.slice(1) as number[])]) : x;
        return model.predict(fitted) as Tf.Tensor;
      });
      const values = (await out.array()) as number[][] | number[];
      out.dispose();
      return values.map((v) => (Array.isArray(v) ? v : [v]));
    },
  };
}
