/**
 * The code the kernel has for each cell (as the notebook opened, or as last sent to run), so a cell
 * edited since can say so: the kernel only learns code when a cell runs, and an edit alone changes
 * nothing it computed.
 */
import { createStore, reconcile } from "solid-js/store";
import type { CellId, CellSource } from "../../electron/protocol.ts";

/** What the kernel was given, per cell; `edited` compares the editor's code with it. */
export function createSentCodeState() {
  const [sent, setSent] = createStore<Record<string, string>>({});
  return {
    /** A notebook was opened: the kernel starts from its cells as saved. */
    reset(cells: readonly CellSource[]) {
      setSent(reconcile(Object.fromEntries(cells.map((c) => [c.id, c.code]))));
    },
    /** These cells' code went to the kernel to run. */
    record(cells: readonly CellSource[]) {
      for (const c of cells) setSent(c.id, c.code);
    },
    /** Whether cell `id`'s `code` differs from what the kernel has (a new cell with code counts). */
    edited(id: CellId, code: string): boolean {
      const given = sent[id];
      return given === undefined ? code.trim() !== "" : given !== code;
    },
  };
}

/** The sent-code state's type. */
export type SentCodeState = ReturnType<typeof createSentCodeState>;
