/**
 * The only bridge between a sandboxed renderer and the main process: `window.flowbook.send` and
 * `window.flowbook.onEvent` over the `flowbook:` IPC channels. ipcRenderer itself is never exposed,
 * so page code cannot reach any other channel (Electron security checklist 20). Bundled as CommonJS
 * by electron-bundle.ts, since a sandboxed preload can only `require('electron')`.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from "electron";
import type { HostCommand, HostEvent } from "./protocol.ts";

contextBridge.exposeInMainWorld("flowbook", {
  /** Sends a command to the host (validated there). */
  send(cmd: HostCommand): void {
    ipcRenderer.send("flowbook:command", cmd);
  },
  /** Listens to host events; returns the unsubscribe. */
  onEvent(listener: (event: HostEvent) => void): () => void {
    // Wrap, so the page never sees the IPC event object (it carries `sender`).
    const handler = (_event: IpcRendererEvent, event: HostEvent) => listener(event);
    ipcRenderer.on("flowbook:event", handler);
    return () => {
      ipcRenderer.removeListener("flowbook:event", handler);
    };
  },
});
