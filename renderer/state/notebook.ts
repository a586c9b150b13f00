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
  /** Lines of the file's header, before the first cell. */
  headerLines: number;
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
  const [store, setStore] = createStore<NotebookStore>({ path: "", cells: {}, order: [], headerLines: 0 });
  const [mode, setMode] = createSignal<RunMode>("autorun");
  const [dirty, setDirty] = createSignal(false);
  const [loaded, setLoaded] = createSignal(false);
  // Which open of the host this is: editors (and their undo history) live as long as it does.
  const [session, setSession] = createSignal(0);
  const [ranOnOpen, setRanOnOpen] = createSignal(false);
  // Opened from text (a run's snapshot): no file yet, so nothing saves it but the user.
  const [fromText, setFromText] = createSignal(false);
  // Counts changes, so a save that ends after another edit does not mark that edit saved.
  const [revision, setRevision] = createSignal(0);
  const changed = () => {
    setDirty(true);
    setRevision((n) => n + 1);
  };
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
    session,
    /** Whether opening ran the notebook (else its outputs are from the last session until run). */
    ranOnOpen,
    fromText,
    revision,
    /** Replaces the notebook with one the host opened (a fresh open: new editors, new undo history). */
    load(opened: NotebookOpened) {
      setRanOnOpen(opened.runOnOpen);
      // A reconnect re-announces the open notebook as the host last saved it: the edits here win.
      if (loaded() && opened.session === session()) return;
      const cells: Record<string, CellSource> = {};
      for (const c of opened.cells) cells[c.id] = c;
      setStore("path", opened.path);
      setStore("headerLines", opened.headerLines);
      setStore("cells", reconcile(cells));
      setStore("order", reconcile(opened.cells.map((c) => c.id)));
      setMode(opened.mode);
      // A notebook opened from text (a run's snapshot) exists only here until saved.
      setDirty(!!opened.unsaved);
      setFromText(!!opened.unsaved);
      setSession(opened.session);
      setAppView(!!opened.appView);
      setLoaded(true);
    },
    editCode(id: CellId, code: string) {
      if (store.cells[id]?.code === code) return;
      setStore("cells", id, "code", code);
      changed();
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
      changed();
      return id;
    },
    deleteCell(id: CellId) {
      setStore("order", (order) => order.filter((x) => x !== id));
      setStore("cells", produce((cells) => void delete cells[id]));
      changed();
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
      changed();
      return true;
    },
    setConfig(id: CellId, config: CellConfig) {
      setStore("cells", id, "config", reconcile(config));
      changed();
    },
    setMode,
    /** The notebook changed outside its cells (a raised output limit in its header): it needs saving. */
    markChanged: changed,
    /** A save of the notebook as it was at `savedRevision` succeeded (under `path`). */
    markSaved(savedRevision: number, path: string) {
      setStore("path", path);
      setFromText(false);
      if (revision() === savedRevision) setDirty(false);
    },
  };
}

/** The notebook domain's state and actions. */
export type NotebookState = ReturnType<typeof createNotebookState>;
