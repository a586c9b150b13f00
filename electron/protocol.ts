/**
 * Every message between host, kernel and renderer, in four sections: host commands (renderer →
 * host), host events (host → renderer), kernel commands (host → kernel), kernel events
 * (kernel → host). Each message has a literal kebab-case `type`; each section ends in its closed
 * union so a handler's `switch` with `assertNever` fails the build when a message is added.
 * This file imports only types (the tracking store's contract): the renderer takes it with `import type`.
 */
import type { StoreChange, TrackingInvocation } from "./tracking/contract.ts";

// ─── ids ────────────────────────────────────────────────────────────────────────────────────────

declare const brand: unique symbol;
/** A string that only code creating the id on purpose can produce. */
export type Brand<T, B extends string> = T & { readonly [brand]: B };
export type CellId = Brand<string, "CellId">;
export type RequestId = Brand<string, "RequestId">;
export type WidgetId = Brand<string, "WidgetId">;

/** Exhaustiveness guard for `switch (msg.type)`. */
export function assertNever(value: never): never {
  throw new Error(`unhandled message: ${JSON.stringify(value)}`);
}

// ─── shared shapes ──────────────────────────────────────────────────────────────────────────────

/** Per-cell options stored in the notebook file. */
export interface CellConfig {
  name?: string;
  hideCode?: boolean;
  disabled?: boolean;
}

export interface CellSource {
  id: CellId;
  code: string;
  config: CellConfig;
}

/** How the kernel reacts to a run: run descendants now, or only mark them stale. */
export type RunMode = "autorun" | "lazy";

export type CellStatus = "idle" | "queued" | "running" | "stale" | "disabled";

/**
 * A UI element a cell created; `value` is its current value as the renderer shows it. A composite
 * (`form`, `array`, `dictionary`) carries its elements' specs; their ids only key the renderer's
 * controls, since inputs reach a composite through its own id (see {@link WidgetInput}).
 */
export type WidgetSpec =
  | { kind: "slider"; id: WidgetId; label: string; min: number; max: number; step: number; value: number }
  | { kind: "range-slider"; id: WidgetId; label: string; min: number; max: number; step: number; value: [number, number] }
  | { kind: "number"; id: WidgetId; label: string; min?: number; max?: number; step?: number; value: number }
  | { kind: "text"; id: WidgetId; label: string; placeholder?: string; maxLength?: number; value: string }
  | { kind: "textarea"; id: WidgetId; label: string; placeholder?: string; maxLength?: number; rows: number; value: string }
  | { kind: "dropdown"; id: WidgetId; label: string; options: string[]; value: string | null }
  | { kind: "radio"; id: WidgetId; label: string; options: string[]; inline: boolean; value: string | null }
  | { kind: "multiselect"; id: WidgetId; label: string; options: string[]; maxSelections?: number; value: string[] }
  | { kind: "checkbox"; id: WidgetId; label: string; value: boolean }
  | { kind: "switch"; id: WidgetId; label: string; value: boolean }
  /** A calendar date `YYYY-MM-DD`, within `start`..`stop` (inclusive) when given. */
  | { kind: "date"; id: WidgetId; label: string; start?: string; stop?: string; value: string }
  | { kind: "button"; id: WidgetId; label: string; value: number }
  /** True only in the runs its click started (marimo's `run_button`). */
  | { kind: "run-button"; id: WidgetId; label: string; value: boolean }
  /** `accept`: file extensions (`.csv`) or MIME types (`image/*`); `maxBytes` bounds one selection's files together. */
  | { kind: "file"; id: WidgetId; label: string; accept: string[]; multiple: boolean; maxBytes: number; value: FileInfo[] }
  | {
      kind: "table-select";
      id: WidgetId;
      label: string;
      columns: string[];
      rows: unknown[][];
      multiple: boolean;
      /** Selected row indexes. */
      value: number[];
    }
  /** Wraps `element`; `value` is the element's value at the last submit, null before the first. */
  | { kind: "form"; id: WidgetId; label: string; submitLabel: string; element: WidgetSpec; value: unknown }
  | { kind: "array"; id: WidgetId; label: string; elements: WidgetSpec[]; value: unknown[] }
  /** `keys[i]` names `elements[i]`; `value` is an object by key. */
  | { kind: "dictionary"; id: WidgetId; label: string; keys: string[]; elements: WidgetSpec[]; value: Record<string, unknown> };

/** A chosen file as a widget's spec shows it (the bytes stay in the kernel). */
export interface FileInfo {
  name: string;
  type: string;
  size: number;
}
/** A chosen file as the renderer sends it: its bytes in base64. */
export interface FileUpload {
  name: string;
  type: string;
  base64: string;
}
/** An input for one element of an `array` or `dictionary`: element `index` takes `value`, its own input. */
export interface ElementInput {
  index: number;
  value: unknown;
}
/**
 * A form's submit: the inputs its element took since the last submit, applied in order (one for a
 * slider moved twice is enough, but an array's changes to several elements add up).
 */
export interface FormSubmit {
  inputs: unknown[];
}
/**
 * What `set-ui-value` carries for a widget: its new value, except a run button's click (`true`),
 * files with their bytes, one element's input for an array or dictionary, and a form's submit.
 */
export type WidgetInput<S extends WidgetSpec> = S extends { kind: "run-button" }
  ? true
  : S extends { kind: "file" }
    ? FileUpload[]
    : S extends { kind: "array" | "dictionary" }
      ? ElementInput
      : S extends { kind: "form" }
        ? FormSubmit
        : S["value"];

/** A Plotly figure as plain data. */
export interface PlotFigure {
  data: Record<string, unknown>[];
  layout?: Record<string, unknown>;
}

/** What a cell displays. */
export type Output =
  | { kind: "text"; text: string }
  | { kind: "markdown"; markdown: string }
  | { kind: "json"; value: unknown }
  | { kind: "table"; columns: string[]; rows: unknown[][] }
  | { kind: "plot"; figure: PlotFigure }
  | { kind: "widget"; widget: WidgetSpec }
  /** `stopped`: the work ended short of `total` (interrupted, re-run, failed), so the bar says so. */
  | { kind: "progress"; label: string; value: number; total: number; stopped?: boolean }
  | { kind: "stack"; items: Output[] }
  /** A live tracking view the renderer draws from the store (runs table, metric chart, …). */
  | { kind: "tracking-view"; view: string; props: Record<string, unknown> }
  /**
   * An output over the notebook's `outputBytes` limit, reported instead of shown (never dropped):
   * the whole output was saved to `savedAs` (a file beside the notebook, see `sessionDir`).
   */
  | { kind: "too-large"; outputKind: Output["kind"]; bytes: number; limit: number; savedAs?: string };

/**
 * How much a cell may show. Defaults are app-wide (`flowbook edit --output-limit …`); a notebook
 * overrides them in its header with a line `// flowbook: output-limit=16MB console-lines=20000
 * console-bytes=5MB`. Console beyond the bounds is kept whole in a log file beside the notebook.
 */
export interface OutputLimits {
  /** Largest output a cell shows, in bytes of its JSON (default 8 MB). */
  outputBytes: number;
  /** Console lines each cell keeps on screen (default 10,000). */
  consoleLines: number;
  /** Console bytes each cell keeps on screen (default 5 MB). */
  consoleBytes: number;
}

/** App-wide settings the user changes in the app; the host keeps them (a settings file) and sends them to every window. */
export interface AppSettings {
  /** Save the open notebook a short delay after each edit (default on). */
  autosave: boolean;
  /** Run a notebook when it opens (default on); the notebook's `// flowbook: run-on-open=` line overrides it. */
  runOnOpen: boolean;
  /**
   * The tracking store the app opens at its next start, unless `--tracking-uri` names one: a
   * `sqlite:///…` file or a `postgresql://…` database; empty: the store beside the notebooks.
   * Windows get it with its password as `***`; sending that back unchanged keeps the password.
   */
  trackingUri: string;
}

/** A cell's output (or error) as the previous session left it, kept beside the notebook. */
export interface LastOutput {
  id: CellId;
  output: Output | null;
  error?: CellError;
  /** When it was written, ms since epoch. */
  savedAt: number;
}

/** A notebook's parameters by name, as given on the command line (`-P lr=0.01`): always strings. */
export type NotebookParams = Readonly<Record<string, string>>;

/** Why a cell did not produce an output. Errors are data: they never crash the kernel. */
export type CellError =
  /** `line` and `column` are the cell's first frame in the stack (1-based, in the cell's TypeScript). */
  | { kind: "exception"; name: string; message: string; stack?: string; line?: number; column?: number }
  | { kind: "syntax"; message: string; line: number; column: number }
  | { kind: "multiple-definition"; name: string; cells: CellId[] }
  | { kind: "cycle"; edges: { from: CellId; to: CellId; names: string[] }[] }
  | { kind: "ancestor-failed"; cell: CellId; name?: string }
  /** `restarted`: the cell did not stop when interrupted, so the kernel was restarted (why, in words). */
  | { kind: "interrupted"; restarted?: string }
  /** `importFrom`: the name is one the module exports, so the cell needs its import. */
  | { kind: "reference"; name: string; expectedCell?: CellId; importFrom?: "flowbook" }
  | { kind: "invalid"; message: string; line?: number };

/** Which variables each cell declares and uses (the notebook's dataflow graph). */
export interface VariableInfo {
  name: string;
  declaredBy: CellId[];
  usedBy: CellId[];
}

/** A failed request's reason, as shown to the user. `code` is an MLflow error code when there is one. */
export interface RemoteError {
  message: string;
  code?: string;
}

/**
 * Where the Tracking tab's views read from: this app's own store, or an MLflow REST server (ours or
 * MLflow's own) at `url`, `http(s)://host:port` with an optional base path.
 */
export type ViewSourceSpec = { kind: "local" } | { kind: "remote"; url: string };

/** A connection's view source as the host set it up. */
export type ViewSourceInfo =
  | { kind: "local" }
  | {
      kind: "remote";
      /** The server URL, normalized (no trailing slash). */
      url: string;
      /** What the server's `/version` answered, or "unknown". */
      version: string;
      /** Path prefix under which the host proxies this server's artifact routes: `/view-source/<id>`. */
      artifactBase: string;
      /** How often the host re-reads the server for the views, in ms: a remote server cannot push. */
      refreshMs: number;
    };

// ─── kernel commands (host → kernel) ────────────────────────────────────────────────────────────

/** Starts a kernel on a notebook's cells; nothing runs until asked. */
export interface KernelInit {
  type: "kernel-init";
  notebookPath: string;
  cells: CellSource[];
  mode: RunMode;
  /**
   * The URI of the host's store, which cells reach through the host: a cell's `setTrackingUri` to
   * it stays on the host instead of opening the database a second time.
   */
  trackingUri?: string;
  /**
   * The host's artifacts folder, behind its `mlflow-artifacts:` proxy: cells write the artifacts of
   * runs whose root is `mlflow-artifacts:/…` (experiments a `flowbook server` on a shared store made) there.
   */
  artifactsDestination?: string;
  /** The notebook's output bounds (the host's defaults merged with the notebook header's); defaults when absent. */
  limits?: OutputLimits;
  /** The notebook's parameters (`-P key=value`, `--params file.json`), which cells read with `args()`. */
  params?: NotebookParams;
  /**
   * false: keep no session files (full console logs, too-large outputs) beside the notebook, as an
   * app view's many kernels of one notebook do; default true.
   */
  sessionFiles?: boolean;
}
/** Registers the given cells' code (new or edited) and runs them with their stale ancestors. */
export interface ExecuteCells {
  type: "execute-cells";
  cells: CellSource[];
  /** ms since epoch; requests older than the last interrupt are dropped. */
  requestedAt: number;
}
export interface RunStaleCells {
  type: "run-stale-cells";
}
export interface DeleteCell {
  type: "delete-cell";
  id: CellId;
}
/** The notebook order, used to break ties between independent cells. */
export interface SetCellOrder {
  type: "set-cell-order";
  ids: CellId[];
}
export interface SetCellConfig {
  type: "set-cell-config";
  id: CellId;
  config: CellConfig;
}
/** A user's input to a widget (its shape by kind: {@link WidgetInput}); the host checks it against the widget's spec. */
export interface SetUiValue {
  type: "set-ui-value";
  id: WidgetId;
  value: unknown;
}
export interface SetRunMode {
  type: "set-run-mode";
  mode: RunMode;
}
/**
 * Stop. To the kernel process the host also writes one byte down its interrupt pipe per Stop, which
 * a loop that keeps the kernel from reading this command still sees (`kernel/interrupt.ts`).
 */
export interface Interrupt {
  type: "interrupt";
}
/**
 * Changes the open notebook's output bounds ("raise the limit" under a too-large output): the host
 * writes them into the notebook's header (saved with it) and hands the kernel the merged bounds.
 */
export interface SetOutputLimits {
  type: "set-output-limits";
  limits: Partial<OutputLimits>;
}
/** A store change forwarded by the host so live reader cells can re-run. */
export interface TrackingChanged {
  type: "tracking-changed";
  change: StoreChange;
}
/** The host's answer to a kernel `tracking-request`. */
export interface TrackingReply {
  type: "tracking-reply";
  requestId: RequestId;
  result?: unknown;
  error?: RemoteError;
}
export interface Shutdown {
  type: "shutdown";
}

/** The cell commands the renderer may send through the host, plus the host's own. */
export type KernelCommand = ForwardedKernelCommand | KernelInit | TrackingChanged | TrackingReply | Shutdown;

// ─── kernel events (kernel → host) ──────────────────────────────────────────────────────────────

export interface KernelReady {
  type: "kernel-ready";
}
export interface CellStatusChanged {
  type: "cell-status";
  id: CellId;
  status: CellStatus;
  /** Increments on every run of the cell; events of older runs are dropped. */
  runNumber: number;
  /** Why the cell went stale, when it was not an edit (the kernel was restarted to stop a cell). */
  reason?: string;
}
/** Replaces the cell's output (null clears it). */
export interface CellOutput {
  type: "cell-output";
  id: CellId;
  runNumber: number;
  output: Output | null;
  error?: CellError;
  /**
   * The run called `stop()` (`cell` is this cell) or was cancelled by an ancestor's `stop()` (`cell`
   * is that ancestor): it ended quietly, not as a failure.
   */
  stopped?: { cell: CellId };
}
export interface CellConsole {
  type: "cell-console";
  id: CellId;
  runNumber: number;
  stream: "stdout" | "stderr";
  text: string;
  /**
   * Lines of this run the kernel did not send before `text` (a flood beyond the console bounds);
   * they are in the run's full log, which the host serves at `/flowbook/console-log?cell=<id>`.
   */
  skippedLines?: number;
}
export interface CompletedRun {
  type: "completed-run";
}
export interface Interrupted {
  type: "interrupted";
}
/**
 * A finished cell run still has work going that it started (a training loop), or no longer has:
 * while it does, the kernel counts as busy and an interrupt stops that work too.
 */
export interface CellBackground {
  type: "cell-background";
  id: CellId;
  runNumber: number;
  active: boolean;
}
/**
 * Which TensorFlow.js backend the kernel loaded (sent once, when a cell first uses TF.js), and
 * the faster ones passed over with why, for the status bar.
 */
export interface TfBackend {
  type: "tf-backend";
  backend: "tensorflow" | "wasm" | "cpu";
  skipped: { name: string; error: string }[];
}
export interface Variables {
  type: "variables";
  variables: VariableInfo[];
}
/** A cell's call into the tracking store (a method name and its typed arguments); the host answers with `tracking-reply`. */
export type TrackingRequest = {
  type: "tracking-request";
  requestId: RequestId;
} & TrackingInvocation;

export type KernelEvent =
  | KernelReady
  | CellStatusChanged
  | CellOutput
  | CellConsole
  | CompletedRun
  | Interrupted
  | CellBackground
  | Variables
  | TrackingRequest
  | TfBackend;

// ─── host commands (renderer → host) ────────────────────────────────────────────────────────────

/** Host commands that the host forwards to the notebook's kernel unchanged. */
export type ForwardedKernelCommand =
  | ExecuteCells
  | RunStaleCells
  | DeleteCell
  | SetCellOrder
  | SetCellConfig
  | SetUiValue
  | SetRunMode
  | Interrupt
  | SetOutputLimits;

export interface OpenNotebook {
  type: "open-notebook";
  requestId: RequestId;
  path: string;
}
export interface NewNotebook {
  type: "new-notebook";
  requestId: RequestId;
  path: string;
}
export interface SaveNotebook {
  type: "save-notebook";
  requestId: RequestId;
  /** Save under another path ("save as"); defaults to the open path. */
  path?: string;
  cells: CellSource[];
}
/**
 * Opens `text` (a notebook in the file format, e.g. a run's snapshot) as a new notebook not yet on
 * disk: the host picks a free file name like `path` and creates the file on the first save.
 */
export interface OpenNotebookText {
  type: "open-notebook-text";
  requestId: RequestId;
  path: string;
  text: string;
}
/** Changes app-wide settings; replies with them all, and every window gets `app-settings`. */
export interface SetAppSettings {
  type: "set-app-settings";
  requestId: RequestId;
  settings: Partial<AppSettings>;
}
/**
 * Exports the open notebook (with these cells, as edited) and its cells' latest outputs as one
 * self-contained HTML file in its session folder; replies `{ file }`, relative to that folder (served
 * by `/flowbook/session-file`).
 */
export interface ExportHtml {
  type: "export-html";
  requestId: RequestId;
  cells: CellSource[];
  includeCode: boolean;
}
export interface ListNotebooks {
  type: "list-notebooks";
  requestId: RequestId;
}
export interface RestartKernel {
  type: "restart-kernel";
  requestId: RequestId;
}
/**
 * Serves a model over MLflow's scoring protocol on 127.0.0.1 (start), stops it (stop), or asks
 * whether it is served (status); replies `{ url }` with `url` null when not served.
 */
export interface ServeModel {
  type: "serve-model";
  requestId: RequestId;
  action: "start" | "stop" | "status";
  /** `models:/name/N`, `models:/name@alias`, `runs:/…`, as `flowbook models serve -m` takes. */
  modelUri: string;
}
/** A call into the tracking store from a tracking view: a method name and its typed arguments. */
export type TrackingCall = {
  type: "tracking-call";
  requestId: RequestId;
  /** "view": this connection's view source (the Tracking tab); "app" (default): the app's own store. */
  store?: "app" | "view";
} & TrackingInvocation;
/** Points this connection's tracking views at a source; replies with its `ViewSourceInfo`. */
export interface SetViewSource {
  type: "set-view-source";
  requestId: RequestId;
  source: ViewSourceSpec;
}
/** Checks that an MLflow server answers at `url` without switching to it; replies `{ url, version }`. */
export interface TestViewSource {
  type: "test-view-source";
  requestId: RequestId;
  url: string;
}

export type HostCommand =
  | ForwardedKernelCommand
  | OpenNotebook
  | NewNotebook
  | OpenNotebookText
  | SaveNotebook
  | ListNotebooks
  | RestartKernel
  | SetAppSettings
  | ExportHtml
  | TrackingCall
  | SetViewSource
  | TestViewSource
  | ServeModel;

// ─── host events (host → renderer) ──────────────────────────────────────────────────────────────

export type KernelState = "starting" | "idle" | "busy" | "restarting" | "dead";

export interface HostStatus {
  type: "host-status";
  /** Where the tracking store lives, e.g. `sqlite:///…/flowbook.db`. */
  trackingUri: string;
  /** The MLflow REST server for Python clients, e.g. `http://127.0.0.1:5000`. */
  restUrl: string;
  /** Active TensorFlow.js backend: tensorflow | wasm | cpu | unknown until first use. */
  tfBackend: string;
  kernel: KernelState;
}
export interface NotebookOpened {
  type: "notebook-opened";
  path: string;
  cells: CellSource[];
  mode: RunMode;
  /** Opened from text and not saved yet: `path` does not exist until the first save. */
  unsaved?: boolean;
  /**
   * Served by `flowbook app`: a read-only view of outputs and widgets. Cells come without their code,
   * and the host refuses every command but widget input, interrupt and tracking reads.
   */
  appView?: boolean;
  /** The notebook's output bounds (the app's defaults merged with its header line): the console tail's size. */
  limits: OutputLimits;
  /** Lines of the file's header, before the first cell: an error names its file line from it. */
  headerLines: number;
  /**
   * Counts the host's opens: a reconnect re-announces the same number, a fresh open (even of the
   * same file) gets a new one, so editors and their undo history belong to one open notebook.
   */
  session: number;
  /** Whether this open ran the notebook (the app's setting, else the notebook's header line). */
  runOnOpen: boolean;
}
/** The app-wide settings, sent on connect and whenever they change. */
export interface AppSettingsChanged {
  type: "app-settings";
  settings: AppSettings;
}
/** The outputs the open notebook's cells showed in the previous session, for cells that have not run since. */
export interface LastOutputs {
  type: "last-outputs";
  outputs: LastOutput[];
}
/** A kernel event, forwarded to the renderer (the TF.js backend and background work reach it through host-status). */
export interface KernelEventForwarded {
  type: "kernel-event";
  event: Exclude<KernelEvent, TrackingRequest | TfBackend | CellBackground>;
}
export interface StoreChanged {
  type: "store-changed";
  change: StoreChange;
}
/** A change the host saw re-reading a remote view source; only the connection viewing it gets it. */
export interface ViewChanged {
  type: "view-changed";
  change: StoreChange;
}
/** The connection's view source and its health: sent when a refresh of a remote starts failing or recovers. */
export interface ViewSourceStatus {
  type: "view-source-status";
  source: ViewSourceInfo;
  /** Why the last refresh failed; absent while refreshes succeed. */
  error?: RemoteError;
}
/** The answer to a host command that carried a `requestId`. */
export interface Reply {
  type: "reply";
  requestId: RequestId;
  result?: unknown;
  error?: RemoteError;
}

/** An app view's session is over (the app serves enough sessions already, or this one sat idle): the page says why. */
export interface SessionClosed {
  type: "session-closed";
  reason: string;
}

/**
 * A native menu item chosen in the desktop app, for the renderer to act on: it holds the cells.
 * `save-as`, `open` and `new` carry the file picked in the native dialog; the renderer asks about
 * unsaved edits before `open` and `new` go ahead.
 */
export interface MenuCommand {
  type: "menu-command";
  command: "save" | "save-as" | "run-all" | "interrupt" | "open" | "new" | "export-html";
  /** The file chosen in the native dialog (save-as, open, new), which the host already allows. */
  path?: string;
}

export type HostEvent =
  | HostStatus
  | NotebookOpened
  | AppSettingsChanged
  | LastOutputs
  | KernelEventForwarded
  | StoreChanged
  | ViewChanged
  | ViewSourceStatus
  | Reply
  | MenuCommand
  | SessionClosed;
