/**
 * The open notebook as the user edits it: cells by id, their order, the run mode and a dirty flag.
 * The renderer is the source of truth for code; the kernel only learns it when a cell runs.
 */
import { createSignal } from "solid-js";
import { createStore, produce, reconcile } from "solid-js/store";
import type { CellConfig, CellId, CellSource, NotebookOpened, RunMode } from "../../electron/protocol.ts";

interface NotebookStore {
  path: string;
  cells: Record<string, CellSource>;
  order: CellId[];
}

/** Where a new cell goes relative to an existing one. */
export type Placement = "above" | "below";

/** A fresh cell id in the notebook file format's alphabet. */
export function newCellId(): CellId {
  const bytes = crypto.getRandomValues(new Uint8Array(4));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("") as CellId;
}

/** Notebook cells, order, mode and dirty flag, changed only through the returned actions. */
export function createNotebookState() {
  const [store, setStore] = createStore<NotebookStore>({ path: "", cells: {}, order: [] });
  const [mode, setMode] = createSignal<RunMode>("autorun");
  const [dirty, setDirty] = createSignal(false);
  const [loaded, setLoaded] = createSignal(false);
  // Served by `flowbook app`: read-only, cells without code.
  const [appView, setAppView] = createSignal(false);

  /** Cells in notebook order, as the kernel and the file want them. */
  const ordered = (): CellSource[] => store.order.map((id) => store.cells[id]).filter((c) => c !== undefined);

  return {
    store,
    mode,
    dirty,
    loaded,
    appView,
    /** An app host refused or closed this page's session before (or after) it showed the notebook: keep the app layout. */
    enterAppView: () => setAppView(true),
    ordered,
    /** Replaces the notebook with one the host opened; cells keeping their id keep their editor. */
    load(opened: NotebookOpened) {
      const cells: Record<string, CellSource> = {};
      for (const c of opened.cells) cells[c.id] = c;
      setStore("path", opened.path);
      setStore("cells", reconcile(cells));
      setStore("order", reconcile(opened.cells.map((c) => c.id)));
      setMode(opened.mode);
      // A notebook opened from text (a run's snapshot) exists only here until saved.
      setDirty(!!opened.unsaved);
      setAppView(!!opened.appView);
      setLoaded(true);
    },
    editCode(id: CellId, code: string) {
      if (store.cells[id]?.code === code) return;
      setStore("cells", id, "code", code);
      setDirty(true);
    },
    /** Inserts an empty cell next to `anchor` (or at the end) and returns its id. */
    addCell(anchor: CellId | undefined, placement: Placement): CellId {
      const id = newCellId();
      setStore("cells", id, { id, code: "", config: {} });
      setStore(
        "order",
        produce((order) => {
          const at = anchor === undefined ? -1 : order.indexOf(anchor);
          if (at < 0) order.push(id);
          else order.splice(placement === "above" ? at : at + 1, 0, id);
        }),
      );
      setDirty(true);
      return id;
    },
    deleteCell(id: CellId) {
      setStore("order", (order) => order.filter((x) => x !== id));
      setStore("cells", produce((cells) => void delete cells[id]));
      setDirty(true);
    },
    /** Moves a cell one place up (-1) or down (+1); returns false at either end. */
    moveCell(id: CellId, delta: -1 | 1): boolean {
      const at = store.order.indexOf(id);
      const to = at + delta;
      if (at < 0 || to < 0 || to >= store.order.length) return false;
      setStore(
        "order",
        produce((order) => {
          order.splice(at, 1);
          order.splice(to, 0, id);
        }),
      );
      setDirty(true);
      return true;
    },
    setConfig(id: CellId, config: CellConfig) {
      setStore("cells", id, "config", reconcile(config));
      setDirty(true);
    },
    setMode,
    /** The notebook changed outside its cells (a raised output limit in its header): it needs saving. */
    markChanged() {
      setDirty(true);
    },
    markSaved() {
      setDirty(false);
    },
  };
}

/** The notebook domain's state and actions. */
export type NotebookState = ReturnType<typeof createNotebookState>;
