/**
 * The open notebook's session files over HTTP, for the window's "open the full log" and "save the
 * output as a file" (the files live beside the notebook, see `notebook/session-files.ts`):
 *
 * - `GET /flowbook/console-log?cell=<cellId>`: the cell's whole console of its latest run that
 *   printed, `text/plain`; 404 with a sentence when there is none.
 * - `GET /flowbook/session-file?path=<savedAs>`: a saved too-large output (`savedAs` of the notice,
 *   relative to the session folder); 403 for a path leaving that folder. `&download=1` asks the
 *   browser to save it.
 *
 * Files are streamed, never read whole into the host's memory.
 */
import { createReadStream, promises as fs } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { basename, extname } from "node:path";
import { consoleLogFile } from "../notebook/index.ts";
import type { Host } from "./host.ts";

/** The path prefix of every session route. */
export const SESSION_PREFIX = "/flowbook/";

const CELL_ID = /^[A-Za-z0-9_-]{1,128}$/;
const TYPES: Record<string, string> = {
  ".log": "text/plain; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".md": "text/markdown; charset=utf-8",
  ".json": "application/json; charset=utf-8",
};

function text(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { "Content-Type": "text/plain; charset=utf-8", "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store" });
  res.end(`${message}\n`);
}

/** Streams `file`, or answers 404 with `missing` when it is not there. */
async function sendFile(req: IncomingMessage, res: ServerResponse, file: string, missing: string, download: boolean): Promise<void> {
  const info = await fs.stat(file).catch(() => undefined);
  if (!info?.isFile()) return text(res, 404, missing);
  res.writeHead(200, {
    "Content-Type": TYPES[extname(file)] ?? "application/octet-stream",
    "Content-Length": info.size,
    "X-Content-Type-Options": "nosniff",
    // Rewritten by every run: never cached. Nothing in it may run as a page.
    "Cache-Control": "no-store",
    "Content-Security-Policy": "default-src 'none'; sandbox",
    ...(download ? { "Content-Disposition": `attachment; filename="${basename(file).replace(/[^\w.-]/g, "_")}"` } : {}),
  });
  if (req.method === "HEAD") return void res.end();
  const stream = createReadStream(file);
  stream.on("error", () => res.destroy());
  stream.pipe(res);
}

/** Answers a request under `SESSION_PREFIX` for the host's open notebook. */
export async function serveSessionFile(req: IncomingMessage, res: ServerResponse, host: Pick<Host, "sessionFile" | "notebookPath">): Promise<void> {
  if (req.method !== "GET" && req.method !== "HEAD") return text(res, 405, "method not allowed");
  const url = new URL(req.url ?? "/", "http://127.0.0.1");
  const download = url.searchParams.get("download") === "1";
  switch (url.pathname) {
    case "/flowbook/console-log": {
      const cell = url.searchParams.get("cell") ?? "";
      if (!CELL_ID.test(cell)) return text(res, 400, "'cell' must be a cell id ([A-Za-z0-9_-]+)");
      const file = host.sessionFile(consoleLogFile(cell));
      if (!file) return text(res, 404, "no notebook is open");
      return sendFile(req, res, file, `no console log for cell '${cell}': its latest run printed nothing, or has not run in this session`, download);
    }
    case "/flowbook/session-file": {
      const path = url.searchParams.get("path") ?? "";
      if (path === "") return text(res, 400, "'path' is required");
      if (host.notebookPath() === undefined) return text(res, 404, "no notebook is open");
      const file = host.sessionFile(path);
      if (!file) return text(res, 403, `'${path}' is outside the notebook's session folder`);
      return sendFile(req, res, file, `no session file '${path}': it was not saved, or a later run replaced it`, download);
    }
    default:
      return text(res, 404, "not found");
  }
}
