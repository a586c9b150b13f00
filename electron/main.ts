/**
 * The Electron main process: one host (store, kernel, REST API on 127.0.0.1) and one window that
 * loads the renderer from the host's own HTTP origin (so the server's CSP header applies and Python
 * `mlflow` can use the same URL), talking to the host over the `flowbook:` IPC channels.
 *
 * Security (desktop-security.md checklist): context isolation, sandbox, no Node integration, web
 * security on; navigation and new windows denied, http(s) links sent to the system browser;
 * permissions limited to an allow-list for the app's origin; every IPC message must come from the
 * main frame of our window at the app's origin, and its payload is validated by the host
 * (validate.ts) like any other transport's.
 */
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { app, BrowserWindow, dialog, ipcMain, Menu, screen, session, shell, type IpcMainEvent, type MenuItemConstructorOptions } from "electron";
import type { HostEvent } from "./protocol.ts";
import { defaultSettingsFile } from "./host/app-settings.ts";
import { createHost, type Connection, type Host } from "./host/host.ts";
import { startHttpServer, type RunningServer } from "./host/http-server.ts";
import { ALLOWED_PERMISSIONS, externalUrl, isAppOrigin, loadWindowState, saveWindowState } from "./host/window-policy.ts";

const PRELOAD = fileURLToPath(new URL("../dist/electron/preload.cjs", import.meta.url));
const NOTEBOOK_FILTERS = [{ name: "Flowbook notebook", extensions: ["ts"] }];

/**
 * `--flowbook-dir=`, `--flowbook-notebook=`, `--flowbook-output-limit=<bytes>`, `--flowbook-tracking-uri=`,
 * `--flowbook-artifacts-destination=`, `--flowbook-params=<json>` (from `flowbook edit`; the host
 * checks the limit and opens the store) or a .ts path (file association).
 */
function launchArgs(
  argv: string[],
  cwd: string,
): { dir?: string; notebook?: string; outputLimit?: number; trackingUri?: string; artifactsDestination?: string; params?: Record<string, string> } {
  const out: ReturnType<typeof launchArgs> = {};
  for (const arg of argv.slice(1)) {
    if (arg.startsWith("--flowbook-dir=")) out.dir = resolve(cwd, arg.slice("--flowbook-dir=".length));
    else if (arg.startsWith("--flowbook-notebook=")) out.notebook = resolve(cwd, arg.slice("--flowbook-notebook=".length));
    else if (arg.startsWith("--flowbook-output-limit=")) out.outputLimit = Number(arg.slice("--flowbook-output-limit=".length));
    else if (arg.startsWith("--flowbook-tracking-uri=")) out.trackingUri = arg.slice("--flowbook-tracking-uri=".length);
    else if (arg.startsWith("--flowbook-artifacts-destination=")) out.artifactsDestination = resolve(cwd, arg.slice("--flowbook-artifacts-destination=".length));
    // Checked by `flowbook edit`, which passes them as one JSON object of strings.
    else if (arg.startsWith("--flowbook-params=")) out.params = JSON.parse(arg.slice("--flowbook-params=".length)) as Record<string, string>;
    else if (!arg.startsWith("-") && arg.endsWith(".ts") && !arg.endsWith("main.ts")) out.notebook = resolve(cwd, arg);
  }
  return out;
}

let host: Host | undefined;
let server: RunningServer | undefined;
let win: BrowserWindow | undefined;
let disconnect: (() => void) | undefined;
const commandListeners = new Set<(raw: unknown) => void>();

function sendToWindow(event: HostEvent): void {
  if (win && !win.isDestroyed() && !win.webContents.isDestroyed()) win.webContents.send("flowbook:event", event);
}

/** Connects the window's page to the host; called on every page load, so a reload starts fresh. */
function connectWindow(): void {
  disconnect?.();
  commandListeners.clear();
  const connection: Connection = {
    send: sendToWindow,
    onCommand(listener) {
      commandListeners.add(listener);
      return () => commandListeners.delete(listener);
    },
  };
  disconnect = host!.connect(connection);
}

/** IPC from anything but our window's main frame at the app's origin is dropped (checklist 17). */
function trusted(event: IpcMainEvent): boolean {
  const frame = event.senderFrame;
  return (
    !!win &&
    !!server &&
    event.sender === win.webContents &&
    frame !== null &&
    frame === event.sender.mainFrame &&
    isAppOrigin(frame.url, server.origin)
  );
}

function installGuards(origin: string): void {
  app.on("web-contents-created", (_e, contents) => {
    const guard = (event: { preventDefault(): void }, url: string) => {
      if (isAppOrigin(url, origin)) return;
      event.preventDefault();
      const external = externalUrl(url, origin);
      if (external) void shell.openExternal(external);
    };
    contents.on("will-navigate", guard);
    contents.on("will-redirect", guard);
    contents.on("will-attach-webview", (event) => event.preventDefault());
    contents.setWindowOpenHandler(({ url }) => {
      const external = externalUrl(url, origin);
      if (external) void shell.openExternal(external);
      return { action: "deny" };
    });
  });
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_wc, permission, callback, details) =>
    callback(ALLOWED_PERMISSIONS.has(permission) && isAppOrigin(details.requestingUrl, origin)),
  );
  ses.setPermissionCheckHandler((_wc, permission, requestingOrigin) => ALLOWED_PERMISSIONS.has(permission) && requestingOrigin === origin);
}

function createWindow(url: string): BrowserWindow {
  const stateFile = join(app.getPath("userData"), "window-state.json");
  const state = loadWindowState(stateFile, screen.getAllDisplays().map((d) => d.workArea));
  const w = new BrowserWindow({
    x: state.x,
    y: state.y,
    width: state.width,
    height: state.height,
    minWidth: 640,
    minHeight: 400,
    show: false,
    title: "Flowbook",
    backgroundColor: "#ffffff",
    webPreferences: {
      preload: PRELOAD,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
    },
  });
  if (state.maximized) w.maximize();
  w.once("ready-to-show", () => w.show());
  w.webContents.on("did-finish-load", connectWindow);
  w.on("close", () => {
    const b = w.getNormalBounds();
    saveWindowState(stateFile, { ...b, maximized: w.isMaximized() });
  });
  w.on("closed", () => {
    disconnect?.();
    disconnect = undefined;
    if (win === w) win = undefined;
  });
  // The page needs no token: it talks over IPC, and the WebSocket stays closed to it without one.
  void w.loadURL(url);
  return w;
}

async function chooseAndOpen(): Promise<void> {
  if (!win || !host) return;
  const r = await dialog.showOpenDialog(win, { title: "Open notebook", defaultPath: host.notebookDir, filters: NOTEBOOK_FILTERS, properties: ["openFile"] });
  if (r.canceled || !r.filePaths[0]) return;
  openInWindow(r.filePaths[0]);
}

/** Asks the window to open `path` (allowed first): it holds the edits, and asks about unsaved ones. */
function openInWindow(path: string): void {
  if (!host) return;
  sendToWindow({ type: "menu-command", command: "open", path: host.allowPath(path) });
}

async function chooseAndCreate(): Promise<void> {
  if (!win || !host) return;
  const r = await dialog.showSaveDialog(win, { title: "New notebook", defaultPath: join(host.notebookDir, "untitled.ts"), filters: NOTEBOOK_FILTERS });
  if (r.canceled || !r.filePath) return;
  // The window creates it, after asking about unsaved edits of the open one.
  sendToWindow({ type: "menu-command", command: "new", path: host.allowPath(r.filePath) });
}

async function chooseAndSaveAs(): Promise<void> {
  if (!win || !host) return;
  const r = await dialog.showSaveDialog(win, { title: "Save notebook as", defaultPath: host.notebookPath() ?? host.notebookDir, filters: NOTEBOOK_FILTERS });
  if (r.canceled || !r.filePath) return;
  // The renderer holds the cells: allow the chosen file, then ask it to save there.
  sendToWindow({ type: "menu-command", command: "save-as", path: host.allowPath(r.filePath) });
}

function buildMenu(): void {
  const mac = process.platform === "darwin";
  const menu = (command: "save" | "run-all" | "interrupt" | "export-html") => () => sendToWindow({ type: "menu-command", command });
  // Typed arrays, so role names keep their literal types under Electron's real declarations.
  const appMenu: MenuItemConstructorOptions[] = mac ? [{ label: app.getName(), submenu: [{ role: "about" }, { type: "separator" }, { role: "quit" }] }] : [];
  const devTools: MenuItemConstructorOptions[] = app.isPackaged ? [] : [{ role: "toggleDevTools" }];
  const about: MenuItemConstructorOptions[] = mac ? [] : [{ role: "about" }];
  const template: MenuItemConstructorOptions[] = [
    ...appMenu,
    {
      label: "File",
      submenu: [
        { label: "New Notebook…", accelerator: "CmdOrCtrl+N", click: () => void chooseAndCreate() },
        { label: "Open…", accelerator: "CmdOrCtrl+O", click: () => void chooseAndOpen() },
        { type: "separator" },
        // The renderer handles Ctrl+S itself; the menu shows the shortcut without capturing it.
        { label: "Save", accelerator: "CmdOrCtrl+S", registerAccelerator: false, click: menu("save") },
        { label: "Save As…", accelerator: "Shift+CmdOrCtrl+S", click: () => void chooseAndSaveAs() },
        { label: "Export as HTML…", click: menu("export-html") },
        { type: "separator" },
        { label: "Run All Cells", accelerator: "CmdOrCtrl+Shift+Enter", click: menu("run-all") },
        { label: "Interrupt", accelerator: "CmdOrCtrl+.", click: menu("interrupt") },
        { type: "separator" },
        mac ? { role: "close" } : { role: "quit" },
      ],
    },
    {
      label: "Edit",
      submenu: [{ role: "undo" }, { role: "redo" }, { type: "separator" }, { role: "cut" }, { role: "copy" }, { role: "paste" }, { role: "selectAll" }],
    },
    {
      label: "View",
      submenu: [
        { role: "reload" },
        ...devTools,
        { type: "separator" },
        { role: "resetZoom" },
        { role: "zoomIn" },
        { role: "zoomOut" },
        { type: "separator" },
        { role: "togglefullscreen" },
      ],
    },
    {
      label: "Help",
      submenu: [
        { label: "Open Notebooks Folder", click: () => void (host && shell.openPath(host.notebookDir)) },
        {
          label: "Tracking Server for Python…",
          click: () =>
            void (win && server && dialog.showMessageBox(win, {
              type: "info",
              title: "Tracking server",
              message: `MLFLOW_TRACKING_URI=${server.origin}`,
              detail: "Python mlflow clients on this machine can log to Flowbook's store through this URL while the app runs.",
            })),
        },
        ...about,
      ],
    },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}

async function start(): Promise<void> {
  const args = launchArgs(process.argv, process.cwd());
  await app.whenReady();
  const dir = args.dir ?? join(app.getPath("documents"), "Flowbook");
  host = await createHost({
    notebookDir: dir,
    notebookPath: args.notebook,
    trackingUri: args.trackingUri,
    artifactsDestination: args.artifactsDestination,
    // The same settings file as browser mode: one app, one set of settings.
    settingsFile: defaultSettingsFile(),
    params: args.params,
    ...(args.outputLimit ? { outputLimits: { outputBytes: args.outputLimit } } : {}),
  });
  server = await startHttpServer({ host, port: 0 });
  installGuards(server.origin);
  ipcMain.on("flowbook:command", (event, raw) => {
    if (!trusted(event)) return;
    for (const l of commandListeners) l(raw);
  });
  buildMenu();
  win = createWindow(`${server.origin}/`);
}

/** Closes the server, kernel and store before Electron exits (once). */
let quitting = false;
app.on("before-quit", (event) => {
  if (quitting || !host) return;
  event.preventDefault();
  quitting = true;
  const h = host;
  void (server?.close() ?? Promise.resolve())
    .then(() => h.close())
    .finally(() => app.exit(0));
});

if (!app.requestSingleInstanceLock()) {
  // Another Flowbook window already owns the store; it receives our arguments instead.
  app.quit();
} else {
  app.on("second-instance", (_e, argv, cwd) => {
    if (win) {
      if (win.isMinimized()) win.restore();
      win.focus();
    }
    const { notebook } = launchArgs(argv, cwd);
    if (notebook) openInWindow(notebook);
  });
  app.on("window-all-closed", () => app.quit());
  app.on("activate", () => {
    if (!win && server) win = createWindow(`${server.origin}/`);
  });
  process.on("SIGINT", () => app.quit());
  process.on("SIGTERM", () => app.quit());
  start().catch((err: Error) => {
    dialog.showErrorBox("Flowbook could not start", err.stack ?? err.message);
    app.exit(1);
  });
}
