/**
 * @internal A kernel driven through `KernelCommand`s with every event recorded, for kernel tests.
 */
import type { CellError, CellId, CellSource, KernelCommand, KernelEvent, Output, RunMode, WidgetId } from "../protocol.ts";
import type { StoreChange } from "../tracking/contract.ts";
import { Kernel } from "./kernel.ts";
import { currentCell, markLiveReader } from "./runtime/context.ts";
import { state } from "./runtime/state.ts";
import { stop } from "./runtime/stop.ts";
import { ui } from "./runtime/ui.ts";

/** @internal A fake tracking store value a live reader cell reads. */
export interface FakeStore {
  value: number;
}

/** @internal Test kernel with helpers over recorded events. */
export class TestKernel {
  readonly events: KernelEvent[] = [];
  readonly store: FakeStore = { value: 0 };
  /** Values cells push to through `probe` (imported from "flowbook"). */
  readonly probe: unknown[] = [];
  readonly kernel: Kernel;
  private readonly codes = new Map<CellId, string>();

  constructor(readonly mode: RunMode) {
    const runtimeModule = {
      ui,
      state,
      stop,
      cell: () => currentCell(),
      probe: this.probe,
      metric: () => {
        markLiveReader((c: StoreChange) => c.type === "metrics");
        return this.store.value;
      },
    };
    // No session files: these tests are about runs, not about where a flood of console text is kept.
    this.kernel = new Kernel({ notebookPath: "/tmp/flowbook-test/nb.ts", runtimeModule, emit: (e) => this.events.push(e), liveIntervalMs: 100, sessionDir: null });
  }

  async send(cmd: KernelCommand): Promise<void> {
    await this.kernel.handle(cmd);
    await this.kernel.idle();
  }

  /** Starts the kernel on `cells` (id → code) in the given order; nothing runs. */
  async init(cells: Record<string, string>): Promise<void> {
    for (const [id, code] of Object.entries(cells)) this.codes.set(id as CellId, code);
    await this.send({ type: "kernel-init", notebookPath: "/tmp/flowbook-test/nb.ts", mode: this.mode, cells: Object.entries(cells).map(([id, code]) => cell(id, code)) });
  }

  /** Executes cells (new code when given, else their current code). */
  async run(cells: Record<string, string | undefined> | string[]): Promise<void> {
    const entries: [string, string | undefined][] = Array.isArray(cells) ? cells.map((id) => [id, undefined]) : Object.entries(cells);
    const sources = entries.map(([id, code]) => {
      if (code !== undefined) this.codes.set(id as CellId, code);
      return cell(id, this.codes.get(id as CellId)!);
    });
    await this.send({ type: "execute-cells", cells: sources, requestedAt: Date.now() });
  }

  async runAll(): Promise<void> {
    await this.run([...this.codes.keys()]);
  }

  /** Forgets recorded events (to count runs after a point). */
  clear(): void {
    this.events.length = 0;
  }

  /** Ids in the order they started running. */
  started(): string[] {
    return this.events.flatMap((e) => (e.type === "cell-status" && e.status === "running" ? [e.id] : []));
  }

  runs(id: string): number {
    return this.started().filter((s) => s === id).length;
  }

  private lastOutputEvent(id: string) {
    return this.events.findLast((e): e is Extract<KernelEvent, { type: "cell-output" }> => e.type === "cell-output" && e.id === id);
  }

  output(id: string): Output | null | undefined {
    return this.lastOutputEvent(id)?.output;
  }

  /** The output's JSON value or text, for short assertions. */
  value(id: string): unknown {
    const o = this.output(id);
    return o?.kind === "json" ? o.value : o?.kind === "text" ? o.text : o;
  }

  error(id: string): CellError | undefined {
    return this.lastOutputEvent(id)?.error;
  }

  status(id: string): string | undefined {
    const last = this.events.findLast((e) => e.type === "cell-status" && e.id === id);
    return last?.type === "cell-status" ? last.status : undefined;
  }

  consoleText(id: string): string {
    return this.events.flatMap((e) => (e.type === "cell-console" && e.id === id ? [e.text] : [])).join("");
  }

  async setUi(id: string, value: unknown): Promise<void> {
    await this.send({ type: "set-ui-value", id: id as WidgetId, value });
  }
}

function cell(id: string, code: string): CellSource {
  return { id: id as CellId, code, config: {} };
}

/** @internal Sleeps `ms`. */
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
