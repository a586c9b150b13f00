/**
 * A real host (store, kernel process, transport) on a notebook of given cells, driven the way a
 * window drives it: commands in, events out, each event stamped with when it arrived. Shared by the
 * benches that measure through the app rather than its parts.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { CellId, CellSource, HostCommand, HostEvent, KernelEvent } from "../../electron/protocol.ts";
import { createHost, type Host } from "../../electron/host/host.ts";

export const cellSource = (id: string, code: string): CellSource => ({ id: id as CellId, code, config: {} });

/** A host with one recording connection, on `dir/bench.ts` holding the given cells in order. */
export async function hostWith(dir: string, cells: Record<string, string>) {
  const path = join(dir, "bench.ts");
  writeFileSync(path, Object.entries(cells).map(([id, code]) => `// %% [cell id=${id}]\n${code}\n`).join("\n"));
  const host: Host = await createHost({ notebookPath: path, settings: { runOnOpen: false, autosave: false }, log: () => {} });
  const listeners = new Set<(e: HostEvent, at: number) => void>();
  let command: (raw: unknown) => void = () => {};
  host.connect({
    send: (e) => {
      const at = performance.now();
      for (const l of listeners) l(e, at);
    },
    onCommand: (l) => {
      command = l;
      return () => {};
    },
  });
  /** Resolves with the arrival time of the next event that matches. */
  const next = (match: (e: HostEvent) => boolean, timeoutMs = 30_000) =>
    new Promise<number>((ok, fail) => {
      const timer = setTimeout(() => fail(new Error("timed out waiting for a host event")), timeoutMs);
      const l = (e: HostEvent, at: number) => {
        if (!match(e)) return;
        clearTimeout(timer);
        listeners.delete(l);
        ok(at);
      };
      listeners.add(l);
    });
  /** Calls `l` with every event until the returned function is called. */
  const watch = (l: (e: HostEvent) => void) => {
    listeners.add(l);
    return () => void listeners.delete(l);
  };
  const send = (cmd: HostCommand) => command(cmd);
  const sources = Object.entries(cells).map(([id, code]) => cellSource(id, code));
  return { host, next, watch, send, sources };
}

export const kernelEvent = (e: HostEvent): KernelEvent | undefined => (e.type === "kernel-event" ? e.event : undefined);
export const statusOf = (id: string, status: string) => (e: HostEvent) => {
  const k = kernelEvent(e);
  return k?.type === "cell-status" && k.id === id && k.status === status;
};
export const kernelIdle = (e: HostEvent) => e.type === "host-status" && e.kernel === "idle";
