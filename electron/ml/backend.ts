/**
 * Picks the fastest TensorFlow.js backend that loads on this machine, once per process:
 * native `@tensorflow/tfjs-node` (an optional dependency whose install downloads libtensorflow,
 * so it is often absent), then the WebAssembly backend (its .wasm ships in the npm package),
 * then the pure-JS CPU backend. Nothing is downloaded at run time.
 */
import type * as Tf from "@tensorflow/tfjs";

/** TF.js types re-exported for layers that reach TF.js only through electron/ml (the kernel runtime). */
export type { Callback, LayersModel } from "@tensorflow/tfjs";

/** Backend names as TF.js reports them; `tensorflow` is tfjs-node's native binding. */
export type BackendName = "tensorflow" | "wasm" | "cpu";

/** Why a preferred backend was passed over, for the status bar and the run tag. */
export interface BackendAttempt {
  name: BackendName;
  error: string;
}

/** The loaded TF.js namespace with the backend it runs on. */
export interface TfRuntime {
  tf: typeof Tf;
  backend: BackendName;
  /** Backends tried before the chosen one, and why each failed. */
  skipped: BackendAttempt[];
}

/** Order of preference; tests may pass a shorter list to force a fallback. */
export const BACKEND_ORDER: readonly BackendName[] = ["tensorflow", "wasm", "cpu"];

let loaded: Promise<TfRuntime> | undefined;

/** The process-wide TF.js runtime, loading it on first use. */
export function loadTf(): Promise<TfRuntime> {
  loaded ??= chooseBackend(BACKEND_ORDER);
  return loaded;
}

/**
 * Tries each backend in order and keeps the first that initialises.
 * @internal exported for tests of the fallback order
 */
export async function chooseBackend(order: readonly BackendName[]): Promise<TfRuntime> {
  const skipped: BackendAttempt[] = [];
  for (const name of order) {
    try {
      const tf = await activate(name);
      return { tf, backend: name, skipped };
    } catch (err) {
      skipped.push({ name, error: err instanceof Error ? err.message.split("\n")[0]! : String(err) });
    }
  }
  throw new Error(`no TensorFlow.js backend could start: ${skipped.map((s) => `${s.name}: ${s.error}`).join("; ")}`);
}

async function activate(name: BackendName): Promise<typeof Tf> {
  if (name === "tensorflow") {
    // The package name is computed so bundlers and type-checkers do not require the optional module.
    const nodeBinding = "@tensorflow/tfjs-node";
    const tfNode = (await import(nodeBinding)) as typeof Tf;
    await setAndCheck(tfNode, "tensorflow");
    return tfNode;
  }
  const tf = await import("@tensorflow/tfjs");
  if (name !== "wasm") {
    await setAndCheck(tf, name);
    return tf;
  }
  // Emscripten's Node glue adds process handlers that rethrow every uncaught exception and unhandled
  // rejection, which would turn one cell's stray rejection into a kernel crash. The kernel process
  // installs its own handlers (elsewhere Node's defaults apply), so the ones added here are removed.
  const handlers = () => ({ exception: process.listeners("uncaughtException"), rejection: process.listeners("unhandledRejection") });
  const before = handlers();
  try {
    await import("@tensorflow/tfjs-backend-wasm");
    await setAndCheck(tf, name);
  } finally {
    const after = handlers();
    for (const l of after.exception) if (!before.exception.includes(l)) process.off("uncaughtException", l);
    for (const l of after.rejection) if (!before.rejection.includes(l)) process.off("unhandledRejection", l);
  }
  return tf;
}

async function setAndCheck(tf: typeof Tf, name: BackendName): Promise<void> {
  if (!(await tf.setBackend(name))) throw new Error(`backend '${name}' did not initialise`);
  await tf.ready();
  // A backend can register yet fail on first kernel use; one tiny op proves it works.
  tf.tidy(() => tf.add(tf.scalar(1), tf.scalar(1)).dataSync());
}
