/**
 * @internal Test fixture: an in-process kernel whose "flowbook" module is the real runtime over a
 * fresh SQLite store, with every event recorded (the runtime's mlflow and tfjs tests share it).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CellId, CellSource, KernelEvent, NotebookParams } from "../../protocol.ts";
import { openStore } from "../../tracking/store/index.ts";
import type { Run } from "../../tracking/types.ts";
import { Kernel } from "../kernel.ts";
import { createRuntime, kernelProvenance } from "./index.ts";

/** @internal A cell with default config. */
export const cell = (id: string, code: string): CellSource => ({ id: id as CellId, code, config: {} });

/** @internal Starts the kernel on `cells` (autorun) with the notebook `params`; `close` shuts it down and removes its files. */
export async function runtimeKernel(cells: CellSource[], opts: { params?: NotebookParams } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "fb-runtime-"));
  const store = await openStore(`sqlite:///${join(dir, "t.db")}`);
  const notebookPath = join(dir, "nb.ts");
  const backends: string[] = [];
  const runtime = createRuntime({ store, params: opts.params, provenance: kernelProvenance(notebookPath, () => kernel.cells()), onTfBackend: (b) => backends.push(b) });
  const events: KernelEvent[] = [];
  const listeners = new Set<() => void>();
  const kernel = new Kernel({
    notebookPath,
    runtimeModule: runtime.module,
    emit: (e) => {
      runtime.observe(e);
      events.push(e);
      for (const l of listeners) l();
    },
  });
  /** The first recorded event matching `pred`, waiting for it if need be. */
  const until = (pred: (e: KernelEvent) => boolean, timeoutMs = 10_000) =>
    new Promise<KernelEvent>((resolve, reject) => {
      const check = () => {
        const found = events.find(pred);
        if (found) {
          listeners.delete(check);
          clearTimeout(timer);
          resolve(found);
        }
      };
      const timer = setTimeout(() => {
        listeners.delete(check);
        reject(new Error(`timed out; events: ${JSON.stringify(events)}`));
      }, timeoutMs);
      listeners.add(check);
      check();
    });
  await kernel.handle({ type: "kernel-init", notebookPath, cells, mode: "autorun" });
  const runs = async (): Promise<Run[]> => (await store.searchRuns({ experiment_ids: ["0"] })).items;
  /** Hands the store's changes to the kernel as the host does; returns the function that stops it. */
  const forwardChanges = () => store.onChange((change) => void kernel.handle({ type: "tracking-changed", change }));
  const close = async () => {
    await kernel.handle({ type: "shutdown" });
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  };
  return { kernel, store, events, until, runs, forwardChanges, backends, runtime, notebookPath, close };
}
