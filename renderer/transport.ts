/**
 * The renderer's only link to the host. In Electron the preload script exposes `window.flowbook`
 * (IPC); in browser mode the host serves a WebSocket at `/ws` guarded by the page's token. Every
 * other file sees one `Transport` and never learns which is in use.
 */
import type { HostCommand, HostEvent, RemoteError, RequestId } from "../electron/protocol.ts";

/** A connection to the host: commands out, events in, and whether it is currently up. */
export interface Transport {
  send(cmd: HostCommand): void;
  onEvent(listener: (event: HostEvent) => void): () => void;
  onStatus(listener: (connected: boolean) => void): () => void;
  /**
   * Listens for the host refusing this page for good (its token is stale or missing): the
   * transport stops reconnecting and the listener gets what to tell the user.
   */
  onEnded(listener: (message: string) => void): () => void;
  connected(): boolean;
}

/** What a page whose token the host no longer accepts tells the user. */
export const SESSION_ENDED_MESSAGE =
  "This session has ended, or the link lacks its token — open the URL that `flowbook edit` or `flowbook start` printed.";

/** What the Electron preload exposes on `window.flowbook`. */
interface PreloadApi {
  send(cmd: HostCommand): void;
  onEvent(listener: (e: HostEvent) => void): () => void;
}

declare global {
  interface Window {
    flowbook?: PreloadApi;
  }
}

/** Picks IPC when the preload API exists, else a WebSocket to the page's own origin. */
export function connectTransport(): Transport {
  return window.flowbook ? ipcTransport(window.flowbook) : webSocketTransport(webSocketUrl());
}

function webSocketUrl(): string {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  // The host checks the same token on the page and the socket, so pass the query string through.
  return `${scheme}//${location.host}/ws${location.search}`;
}

function ipcTransport(api: PreloadApi): Transport {
  return {
    send: (cmd) => api.send(cmd),
    onEvent: (listener) => api.onEvent(listener),
    // IPC lives as long as the window: report connected once, to whoever asks.
    onStatus: (listener) => {
      listener(true);
      return () => {};
    },
    // The window's IPC never goes stale.
    onEnded: () => () => {},
    connected: () => true,
  };
}

const MIN_BACKOFF_MS = 250;
const MAX_BACKOFF_MS = 5000;

/**
 * Whether the host refuses this page's token (`/flowbook/session`, see the host's ws-transport.ts).
 * A network error means the host is down or restarting: not refused, keep retrying.
 */
async function tokenRefused(): Promise<boolean> {
  try {
    const res = await fetch(`/flowbook/session${location.search}`, { cache: "no-store" });
    return res.status === 403;
  } catch {
    return false;
  }
}

function webSocketTransport(url: string): Transport {
  const eventListeners = new Set<(event: HostEvent) => void>();
  const statusListeners = new Set<(connected: boolean) => void>();
  const endedListeners = new Set<(message: string) => void>();
  let ended: string | undefined;
  let socket: WebSocket | undefined;
  let open = false;
  let backoff = MIN_BACKOFF_MS;

  const setOpen = (value: boolean) => {
    if (open === value) return;
    open = value;
    for (const l of statusListeners) l(value);
  };

  const connect = () => {
    const ws = new WebSocket(url);
    socket = ws;
    ws.onopen = () => {
      backoff = MIN_BACKOFF_MS;
      setOpen(true);
    };
    ws.onmessage = (msg) => {
      let event: HostEvent;
      try {
        event = JSON.parse(String(msg.data)) as HostEvent;
      } catch {
        console.warn("flowbook: dropped a malformed host message");
        return;
      }
      for (const l of eventListeners) l(event);
    };
    ws.onclose = () => {
      setOpen(false);
      void tokenRefused().then((refused) => {
        if (refused) {
          // A restarted host has a new token, and a bare URL has none: retrying cannot help.
          ended = SESSION_ENDED_MESSAGE;
          for (const l of endedListeners) l(ended);
          return;
        }
        // Exponential backoff so a host restart is picked up quickly without hammering a dead port.
        setTimeout(connect, backoff);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      });
    };
  };
  connect();

  return {
    send(cmd) {
      if (!open || !socket) {
        console.warn(`flowbook: not connected, dropped '${cmd.type}'`);
        return;
      }
      socket.send(JSON.stringify(cmd));
    },
    onEvent(listener) {
      eventListeners.add(listener);
      return () => eventListeners.delete(listener);
    },
    onStatus(listener) {
      statusListeners.add(listener);
      listener(open);
      return () => statusListeners.delete(listener);
    },
    onEnded(listener) {
      endedListeners.add(listener);
      if (ended !== undefined) listener(ended);
      return () => endedListeners.delete(listener);
    },
    connected: () => open,
  };
}

/** Host commands that carry a `requestId` and get a `reply`. */
export type RequestCommand = Extract<HostCommand, { requestId: RequestId }>;

type WithoutId<C> = C extends unknown ? Omit<C, "requestId"> : never;

/** A failed request, carrying the host's reason. */
export class RequestError extends Error {
  override name = "RequestError";
  constructor(readonly remote: RemoteError) {
    super(remote.message);
  }
}

/** Sends a request and resolves with the reply's result (rejects with its error). */
export type Request = (cmd: WithoutId<RequestCommand>) => Promise<unknown>;

/**
 * Pairs replies with requests by `requestId`. Replies nobody waits for (late, or from before a
 * reconnect) are dropped; requests in flight when the connection drops are rejected, since the
 * host that would answer them is gone.
 */
export function createRequester(transport: Transport): Request {
  const pending = new Map<string, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let counter = 0;
  transport.onEvent((event) => {
    if (event.type !== "reply") return;
    const waiter = pending.get(event.requestId);
    if (!waiter) return;
    pending.delete(event.requestId);
    if (event.error) waiter.reject(new RequestError(event.error));
    else waiter.resolve(event.result);
  });
  transport.onStatus((connected) => {
    if (connected) return;
    for (const waiter of pending.values()) waiter.reject(new Error("disconnected from the host"));
    pending.clear();
  });
  return (cmd) => {
    if (!transport.connected()) return Promise.reject(new Error("not connected to the host"));
    const requestId = `r${Date.now().toString(36)}-${++counter}` as RequestId;
    return new Promise((resolve, reject) => {
      pending.set(requestId, { resolve, reject });
      transport.send({ ...cmd, requestId } as RequestCommand);
    });
  };
}
