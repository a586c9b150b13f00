/**
 * The slice of Electron's API that main.ts and preload.ts use, declared because the `electron`
 * optional dependency (which ships the real `electron.d.ts`) cannot be installed here. Signatures
 * are copied from Electron's own declarations, narrowed to what we call.
 *
 * DELETE THIS FILE once `node_modules/electron` is installed: the real declarations then apply, and
 * both together would conflict (theirs is `export =`).
 */
declare module "electron" {
  type Listener = (...args: any[]) => void;

  interface EventLike {
    preventDefault(): void;
  }

  interface Rectangle {
    x: number;
    y: number;
    width: number;
    height: number;
  }

  interface WebFrameMain {
    url: string;
    origin: string;
  }

  interface HandlerDetails {
    url: string;
  }

  interface WebContents {
    readonly id: number;
    readonly mainFrame: WebFrameMain;
    send(channel: string, ...args: unknown[]): void;
    isDestroyed(): boolean;
    getURL(): string;
    on(event: "will-navigate" | "will-redirect", listener: (event: EventLike, url: string) => void): this;
    on(event: "will-attach-webview", listener: (event: EventLike) => void): this;
    on(event: "did-finish-load" | "destroyed", listener: () => void): this;
    setWindowOpenHandler(handler: (details: HandlerDetails) => { action: "deny" } | { action: "allow" }): void;
  }

  interface WebPreferences {
    preload?: string;
    contextIsolation?: boolean;
    sandbox?: boolean;
    nodeIntegration?: boolean;
    nodeIntegrationInSubFrames?: boolean;
    webSecurity?: boolean;
    allowRunningInsecureContent?: boolean;
    experimentalFeatures?: boolean;
    webviewTag?: boolean;
    spellcheck?: boolean;
  }

  interface BrowserWindowConstructorOptions {
    x?: number;
    y?: number;
    width?: number;
    height?: number;
    minWidth?: number;
    minHeight?: number;
    show?: boolean;
    title?: string;
    backgroundColor?: string;
    webPreferences?: WebPreferences;
  }

  class BrowserWindow {
    constructor(options?: BrowserWindowConstructorOptions);
    static getAllWindows(): BrowserWindow[];
    readonly webContents: WebContents;
    loadURL(url: string): Promise<void>;
    getNormalBounds(): Rectangle;
    isMaximized(): boolean;
    isMinimized(): boolean;
    isDestroyed(): boolean;
    maximize(): void;
    restore(): void;
    show(): void;
    focus(): void;
    on(event: "close" | "closed" | "ready-to-show", listener: () => void): this;
    once(event: "ready-to-show", listener: () => void): this;
  }

  interface App {
    readonly isPackaged: boolean;
    whenReady(): Promise<void>;
    quit(): void;
    exit(exitCode?: number): void;
    getPath(name: "userData" | "documents" | "home"): string;
    getName(): string;
    getVersion(): string;
    requestSingleInstanceLock(): boolean;
    on(event: "second-instance", listener: (event: EventLike, argv: string[], workingDirectory: string) => void): this;
    on(event: "web-contents-created", listener: (event: EventLike, contents: WebContents) => void): this;
    on(event: "before-quit", listener: (event: EventLike) => void): this;
    on(event: "window-all-closed" | "activate", listener: () => void): this;
  }
  const app: App;

  interface IpcMainEvent {
    sender: WebContents;
    senderFrame: WebFrameMain | null;
  }
  interface IpcMain {
    on(channel: string, listener: (event: IpcMainEvent, ...args: unknown[]) => void): this;
  }
  const ipcMain: IpcMain;

  interface IpcRendererEvent {
    sender: unknown;
  }
  interface IpcRenderer {
    send(channel: string, ...args: unknown[]): void;
    on(channel: string, listener: (event: IpcRendererEvent, ...args: any[]) => void): this;
    removeListener(channel: string, listener: Listener): this;
  }
  const ipcRenderer: IpcRenderer;

  interface ContextBridge {
    exposeInMainWorld(apiKey: string, api: unknown): void;
  }
  const contextBridge: ContextBridge;

  interface FileFilter {
    name: string;
    extensions: string[];
  }
  interface OpenDialogReturnValue {
    canceled: boolean;
    filePaths: string[];
  }
  interface SaveDialogReturnValue {
    canceled: boolean;
    filePath: string;
  }
  interface Dialog {
    showOpenDialog(
      window: BrowserWindow,
      options: { title?: string; defaultPath?: string; filters?: FileFilter[]; properties?: "openFile"[] },
    ): Promise<OpenDialogReturnValue>;
    showSaveDialog(
      window: BrowserWindow,
      options: { title?: string; defaultPath?: string; filters?: FileFilter[] },
    ): Promise<SaveDialogReturnValue>;
    showErrorBox(title: string, content: string): void;
    showMessageBox(window: BrowserWindow, options: { type?: "info" | "error"; title?: string; message: string; detail?: string }): Promise<unknown>;
  }
  const dialog: Dialog;

  interface Shell {
    openExternal(url: string): Promise<void>;
    openPath(path: string): Promise<string>;
  }
  const shell: Shell;

  interface Display {
    workArea: Rectangle;
  }
  interface Screen {
    getAllDisplays(): Display[];
  }
  const screen: Screen;

  interface PermissionRequestDetails {
    requestingUrl: string;
  }
  interface Session {
    setPermissionRequestHandler(
      handler: ((webContents: WebContents, permission: string, callback: (granted: boolean) => void, details: PermissionRequestDetails) => void) | null,
    ): void;
    setPermissionCheckHandler(handler: ((webContents: WebContents | null, permission: string, requestingOrigin: string) => boolean) | null): void;
  }
  const session: { defaultSession: Session };

  interface MenuItemConstructorOptions {
    label?: string;
    role?: string;
    type?: "normal" | "separator" | "submenu";
    accelerator?: string;
    registerAccelerator?: boolean;
    enabled?: boolean;
    visible?: boolean;
    click?: () => void;
    submenu?: MenuItemConstructorOptions[];
  }
  class Menu {
    static buildFromTemplate(template: MenuItemConstructorOptions[]): Menu;
    static setApplicationMenu(menu: Menu | null): void;
  }
}
