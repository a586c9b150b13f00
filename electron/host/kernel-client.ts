/**
 * The host's handle on one notebook kernel: a child Node process (`kernel/process.ts`) spoken to over the
 * fork IPC channel with `KernelCommand`/`KernelEvent`.
 *
 * Interrupt is cooperative first: `interrupt` is sent, and the kernel aborts the running cell's
 * signal and answers `interrupted`. A cell stuck in a synchronous loop never reads that message, so
 * a byte also goes down the kernel's interrupt pipe, which a thread of the kernel reads and a cell's
 * loops check (`kernel/interrupt.ts`). Code that still does not stop (a spin inside a library call)
 * is the last resort: after a grace period the client kills the process, starts a fresh one, re-sends `kernel-init` with
 * the last known cells and marks every cell stale (reactive-semantics T29). Events of a process the
 * client has given up on are dropped; within a process the kernel alone drops an older run's events,
 * so everything it sends is current and is passed on as is.
 */
import { fork, type ChildProcess } from "node:child_process";
import type { Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import type {
  CellId,
  CellSource,
  KernelCommand,
  KernelEvent,
  KernelInit,
  RemoteError,
  TrackingRequest,
} from "../protocol.ts";
import { mergeLimits } from "../common/output-bounds.ts";
import { checkTrackingCall } from "../tracking/calls.ts";
import type { TrackingInvocation } from "../tracking/contract.ts";
import { MlflowError } from "../tracking/types.ts";
import { INTERRUPT_FD_ENV } from "../kernel/interrupt.ts";

/** Answers a kernel's tracking call (a `TrackingStore` method name and its arguments). */
export type TrackingHandler = (call: TrackingInvocation) => Promise<unknown>;

/** How a kernel process ended when nobody asked it to. */
export interface KernelExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Options of `KernelClient`. */
export interface KernelClientOptions {
  /** How long a cooperative interrupt may take before the process is killed (ms). */
  interruptGraceMs?: number;
  /** Extra environment for the kernel process. */
  env?: NodeJS.ProcessEnv;
  /** The working directory of the kernel process (the notebook's folder is a good choice). */
  cwd?: string;
}

/** The kernel's stdio index of its interrupt pipe. */
const INTERRUPT_PIPE = 4;
const ENTRY = fileURLToPath(new URL("../kernel/process.ts", import.meta.url));
// Resolved here, not by the child: `--import tsx` would resolve from the child's working directory.
const TSX = import.meta.resolve("tsx");

/** A kernel child process with interrupt escalation and restart. */
export class KernelClient {
  private child: ChildProcess | undefined;
  private generation = 0;
  private init: KernelInit | undefined;
  private cells = new Map<CellId, CellSource>();
  private order: CellId[] = [];
  private busy = new Set<CellId>();
  /** The cell the kernel last reported running (the one an interrupt must stop). */
  private runningCell: CellId | undefined;
  /** The process has answered `kernel-init` (it reads commands). */
  private ready = false;
  private interruptTimer: NodeJS.Timeout | undefined;
  private readonly listeners = new Set<(event: KernelEvent) => void>();
  private readonly exitListeners = new Set<(exit: KernelExit) => void>();
  private tracking: TrackingHandler | undefined;
  private readonly graceMs: number;
  private disposed = false;

  constructor(private readonly options: KernelClientOptions = {}) {
    this.graceMs = options.interruptGraceMs ?? 300;
    this.spawn();
  }

  /** Sends a command to the kernel, remembering the notebook's cells so a restart can re-send them. */
  send(cmd: KernelCommand): void {
    this.remember(cmd);
    if (cmd.type === "interrupt") {
      this.interrupt();
      return;
    }
    this.post(cmd);
  }

  /** Listens to kernel events (tracking requests are answered by `onTrackingRequest`, not listed here). */
  onEvent(listener: (event: KernelEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Listens for a kernel process that ended without being asked to (a crash, an OOM kill). */
  onExit(listener: (exit: KernelExit) => void): () => void {
    this.exitListeners.add(listener);
    return () => this.exitListeners.delete(listener);
  }

  /** Sets who answers the kernel's `tracking-request`s; failures reply as `RemoteError`s. */
  onTrackingRequest(handler: TrackingHandler): void {
    this.tracking = handler;
  }

  /**
   * Interrupts the running cells: cooperative first, then, if the kernel does not answer
   * `interrupted` within the grace period, kill and restart with every cell stale.
   */
  interrupt(): void {
    this.post({ type: "interrupt" });
    (this.child?.stdio[INTERRUPT_PIPE] as Writable | null | undefined)?.write("!");
    // A kernel still starting reads no command yet; escalating would throw away its state for nothing.
    // A ready one that looks idle may be wedged by a cell's timer, so it must answer too.
    if ((this.busy.size === 0 && !this.ready) || this.interruptTimer) return;
    this.interruptTimer = setTimeout(() => {
      this.interruptTimer = undefined;
      const cell = this.runningCell ?? [...this.busy][0];
      const which = cell ? `cell ${this.cells.get(cell)?.config.name ? `'${this.cells.get(cell)!.config.name}' (${cell})` : cell}` : "the running cell";
      this.replaceProcess(`the kernel was restarted to stop ${which}, which did not stop when interrupted; every cell must re-run`, cell);
    }, this.graceMs);
  }

  /** Kills the kernel and starts a fresh one on the same cells, all stale; resolves when it is ready. */
  restart(): Promise<void> {
    if (this.disposed) return Promise.reject(new Error("the kernel client is disposed"));
    const ready = new Promise<void>((resolve) => {
      const off = this.onEvent((e) => {
        if (e.type === "kernel-ready") {
          off();
          resolve();
        }
      });
    });
    this.replaceProcess();
    return ready;
  }

  /** Asks the kernel to shut down, kills it if it does not within a moment, and forgets it. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.clearInterruptTimer();
    const child = this.child;
    this.child = undefined;
    this.generation++;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    if (child.connected) child.send({ type: "shutdown" } satisfies KernelCommand, () => undefined);
    const timer = setTimeout(() => child.kill("SIGKILL"), 1000);
    await exited;
    clearTimeout(timer);
  }

  private spawn(): void {
    const generation = ++this.generation;
    const child = fork(ENTRY, [], {
      execArgv: ["--import", TSX],
      serialization: "advanced",
      env: { ...process.env, ...this.options.env, [INTERRUPT_FD_ENV]: String(INTERRUPT_PIPE) },
      cwd: this.options.cwd,
      stdio: ["ignore", "inherit", "inherit", "ipc", "pipe"],
    });
    this.child = child;
    this.ready = false;
    // A write racing the child's exit fails; the exit handler reports the end.
    child.stdio[INTERRUPT_PIPE]?.on("error", () => undefined);
    child.on("message", (event: KernelEvent) => {
      if (generation === this.generation) this.receive(event);
    });
    // A failed send or spawn surfaces here; the exit handler reports the end.
    child.on("error", () => undefined);
    child.on("exit", (code, signal) => {
      if (generation !== this.generation) return;
      this.child = undefined;
      this.busy.clear();
      this.clearInterruptTimer();
      for (const l of this.exitListeners) l({ code, signal });
    });
    if (this.init) this.post({ ...this.init, cells: this.order.flatMap((id) => this.cells.get(id) ?? []) });
  }

  /**
   * Kills the current process (its late events are dropped) and starts a new one, all cells stale.
   * `reason` (an interrupt that did not stop `culprit`) goes on every cell's stale status, and the
   * culprit ends as interrupted with it.
   */
  private replaceProcess(reason?: string, culprit?: CellId): void {
    this.clearInterruptTimer();
    const old = this.child;
    this.generation++;
    old?.kill("SIGKILL");
    this.busy.clear();
    if (this.disposed) return;
    this.spawn();
    this.runningCell = undefined;
    // Run 0: the new process has run nothing yet (its first run of a cell is 1).
    for (const id of this.order) {
      if (id === culprit && reason) {
        this.emit({ type: "cell-output", id, runNumber: 0, output: null, error: { kind: "interrupted", restarted: reason } });
      }
      this.emit({ type: "cell-status", id, status: "stale", runNumber: 0, ...(reason ? { reason } : {}) });
    }
    if (reason) this.emit({ type: "interrupted" });
  }

  private receive(event: KernelEvent): void {
    if (event.type === "tracking-request") {
      void this.answer(event, this.generation);
      return;
    }
    if (event.type === "kernel-ready") this.ready = true;
    if (event.type === "cell-status") {
      if (event.status === "running" || event.status === "queued") this.busy.add(event.id);
      else this.busy.delete(event.id);
      if (event.status === "running") this.runningCell = event.id;
      else if (this.runningCell === event.id) this.runningCell = undefined;
    } else if (event.type === "interrupted") {
      // The kernel reports `interrupted` once the interrupted cells have ended and its event loop
      // turns again; a cell still running or queued keeps the fallback armed.
      if (this.busy.size === 0) this.clearInterruptTimer();
    } else if (event.type === "completed-run") {
      this.busy.clear();
    }
    if (this.busy.size === 0 && event.type === "interrupted") this.clearInterruptTimer();
    this.emit(event);
  }

  private async answer(req: TrackingRequest, generation: number): Promise<void> {
    let reply: KernelCommand;
    try {
      if (!this.tracking) throw new Error("no tracking store is attached to this kernel");
      // Cell code chose these arguments: check them against the contract before the store sees them.
      const checked = checkTrackingCall(req.method, req.args);
      if (!checked.ok) throw new MlflowError("INVALID_PARAMETER_VALUE", checked.error);
      const result = await this.tracking(checked.call);
      reply = { type: "tracking-reply", requestId: req.requestId, result };
    } catch (err) {
      reply = { type: "tracking-reply", requestId: req.requestId, error: toRemoteError(err) };
    }
    // The process that asked is gone: its pending requests died with it.
    if (generation === this.generation) this.post(reply);
  }

  private remember(cmd: KernelCommand): void {
    switch (cmd.type) {
      case "kernel-init":
        this.init = cmd;
        this.cells = new Map(cmd.cells.map((c) => [c.id, c]));
        this.order = cmd.cells.map((c) => c.id);
        break;
      case "execute-cells":
        for (const c of cmd.cells) {
          if (!this.cells.has(c.id)) this.order.push(c.id);
          this.cells.set(c.id, c);
        }
        break;
      case "delete-cell":
        this.cells.delete(cmd.id);
        this.order = this.order.filter((id) => id !== cmd.id);
        break;
      case "set-cell-order":
        this.order = cmd.ids.filter((id) => this.cells.has(id));
        break;
      case "set-cell-config": {
        const cell = this.cells.get(cmd.id);
        if (cell) this.cells.set(cmd.id, { ...cell, config: cmd.config });
        break;
      }
      case "set-run-mode":
        if (this.init) this.init = { ...this.init, mode: cmd.mode };
        break;
      case "set-output-limits":
        // A restarted process keeps the raised limits.
        if (this.init) this.init = { ...this.init, limits: mergeLimits(this.init.limits, cmd.limits) };
        break;
      default:
        break;
    }
  }

  private post(cmd: KernelCommand): void {
    const child = this.child;
    if (!child?.connected) return;
    // A send racing the child's exit fails; the exit handler reports it.
    child.send(cmd, () => undefined);
  }

  private emit(event: KernelEvent): void {
    for (const l of this.listeners) l(event);
  }

  private clearInterruptTimer(): void {
    clearTimeout(this.interruptTimer);
    this.interruptTimer = undefined;
  }
}

/** A thrown value as the protocol's `RemoteError`, keeping an MLflow error code when there is one. */
export function toRemoteError(err: unknown): RemoteError {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return typeof code === "string" ? { message: err.message, code } : { message: err.message };
  }
  return { message: String(err) };
}
