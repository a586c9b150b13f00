/**
 * The "flowbook" module cells import (`import { md, ui, mlflow } from "flowbook"`): one object
 * per kernel, built around the tracking store the kernel uses (the host proxy in the kernel process,
 * an embedded store under `flowbook run`).
 */
import type { CellId, KernelEvent } from "../../protocol.ts";
import type { TrackingStore } from "../../tracking/types.ts";
import { MlflowClient } from "../../tracking/client/index.ts";
import { md } from "./md.ts";
import { createCellTracking, type CellTracking } from "./mlflow.ts";
import { plot } from "./plot.ts";
import { progress } from "./progress.ts";
import { state } from "./state.ts";
import { table } from "./table.ts";
import { ui } from "./ui.ts";

/** What `createRuntime` needs. */
export interface RuntimeOptions {
  store: TrackingStore;
  notebookPath: string;
  /** The current code of a cell (for run provenance tags). */
  codeOf(cellId: CellId): string | undefined;
}

/** A kernel's runtime: the module cells import and the tracking hooks the kernel's host side calls. */
export interface Runtime {
  module: Record<string, unknown>;
  tracking: CellTracking;
  /** The fluent MLflow API in `module` (so a caller can flush it). */
  mlflow: CellTracking["mlflow"];
  /**
   * Sees every event the kernel emits: a cell's exception ends the runs it left open as FAILED.
   * Whoever constructs the kernel passes its events through here.
   */
  observe(event: KernelEvent): void;
}

/** Builds the "flowbook" module for one notebook kernel. */
export function createRuntime(opts: RuntimeOptions): Runtime {
  const tracking = createCellTracking(opts.store, { notebookPath: opts.notebookPath, codeOf: opts.codeOf });
  const module = Object.freeze({ md, table, plot, progress, ui, state, mlflow: tracking.mlflow, MlflowClient });
  const observe = (event: KernelEvent): void => {
    if (event.type === "cell-output" && event.error?.kind === "exception") {
      // Best effort: a store that fails here fails the same way for the cell's next call, which reports it.
      tracking.cellFailed(event.id, event.runNumber, event.error.message).catch(() => undefined);
    }
  };
  return { module, tracking, mlflow: tracking.mlflow, observe };
}
