/**
 * The kernel child process (forked by the host's `KernelClient`): reads `KernelCommand`s from the IPC channel,
 * runs them on an in-process `Kernel`, and sends `KernelEvent`s back. Tracking calls of cells go to
 * the host as `tracking-request`s; the kernel hands the host's `tracking-reply`s to the remote store.
 * Nothing a cell does may end this process except a `shutdown` or the host going away.
 */
import { resolve } from "node:path";
import type { KernelCommand, KernelEvent } from "../protocol.ts";
import { Kernel } from "./kernel.ts";
import { createRuntime, kernelProvenance, type Runtime } from "./runtime/index.ts";
import { createRemoteStore } from "./runtime/mlflow.ts";
import { INTERRUPTED, INTERRUPT_FD_ENV, interruptCounts, listenForInterrupts } from "./interrupt.ts";
import { tryCurrentCell } from "./runtime/context.ts";

function send(event: KernelEvent): void {
  // After the host disconnects there is nobody to tell; the disconnect handler exits.
  if (!process.connected) return;
  try {
    process.send!(event, undefined, {}, () => undefined);
  } catch (err) {
    // An event that cannot be serialized must not vanish: a cell's output becomes an error the user sees.
    report(err);
    if (event.type !== "cell-output") return;
    const message = `the output could not be sent to the app: ${err instanceof Error ? err.message : String(err)}`;
    process.send!({ ...event, output: null, error: { kind: "invalid", message } } satisfies KernelEvent, undefined, {}, () => undefined);
  }
}

const remote = createRemoteStore(send);
let kernel: Kernel | undefined;
let runtime: Runtime | undefined;

/** Kernel events pass the runtime on their way out (a cell's exception ends its open runs FAILED). */
function emit(event: KernelEvent): void {
  runtime?.observe(event);
  send(event);
}

function report(err: unknown): void {
  process.stderr.write(`flowbook kernel: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
}

process.on("message", (cmd: KernelCommand) => {
  switch (cmd.type) {
    case "kernel-init": {
      // A second init replaces the notebook: the old kernel's runs end first.
      void kernel?.handle({ type: "shutdown" });
      // Cell imports resolve from the notebook's folder, which needs an absolute path.
      const notebookPath = resolve(cmd.notebookPath);
      // Runs record the cells as this kernel has them; the kernel is built around the runtime, so later.
      let self: Kernel | undefined;
      runtime = createRuntime({
        store: remote.store,
        storeUri: cmd.trackingUri,
        artifactsDestination: cmd.artifactsDestination,
        params: cmd.params,
        provenance: kernelProvenance(notebookPath, () => self?.cells() ?? []),
        onTfBackend: (backend, skipped) => send({ type: "tf-backend", backend, skipped }),
      });
      kernel = self = new Kernel({
        notebookPath,
        runtimeModule: runtime.module,
        emit,
        onTrackingReply: remote.receive,
        ...(cmd.sessionFiles === false ? { sessionDir: null } : {}),
      });
      break;
    }
    case "shutdown":
      Promise.resolve(kernel?.handle(cmd))
        .catch(report)
        .finally(() => process.exit(0));
      return;
    case "interrupt":
      // Before `kernel-init` there is nothing to stop, but the host waits for the answer.
      if (!kernel) {
        interruptCounts.answered();
        send({ type: "interrupted" });
        return;
      }
      break;
    default:
      break;
  }
  Promise.resolve(kernel?.handle(cmd)).catch(report);
});

// The host is gone (closed or crashed): pending tracking calls can never be answered.
process.on("disconnect", () => {
  remote.closeAll("the host disconnected");
  process.exit(0);
});
// Stop reaches a cell's loop that never yields through the host's interrupt pipe.
listenForInterrupts(process.env[INTERRUPT_FD_ENV]);

/**
 * A background task's stray error must not take every cell's state down with the process. One a
 * cell started (the async context survives into these handlers) is shown in that cell's console,
 * as a browser's console shows it; any other goes to the host's log. A loop in a cell's timer or
 * task that Stop ended throws the interruption here: that is the Stop working.
 */
function stray(kind: string) {
  return (err: unknown) => {
    if (err === INTERRUPTED) return;
    if (tryCurrentCell()) console.error(kind, err);
    else report(err);
  };
}
process.on("uncaughtException", stray("Uncaught"));
process.on("unhandledRejection", stray("Uncaught (in promise)"));
