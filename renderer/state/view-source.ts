/**
 * Where the Tracking tab reads from: this app's store (the default) or a remote MLflow server the
 * user connected to, its refresh health, and the server URLs used recently. The host holds the
 * choice per connection, so a reconnect re-sends it; localStorage keeps it across reloads and
 * restarts, with the recent URLs.
 */
import { createSignal } from "solid-js";
import type { RemoteError, ViewSourceInfo, ViewSourceSpec, ViewSourceStatus } from "../../electron/protocol.ts";
import type { Request, Transport } from "../transport.ts";

const RECENT_KEY = "flowbook.trackingServers";
const MAX_RECENT = 8;
/** The remote server the Tracking tab shows; absent for this app's store. */
const SOURCE_KEY = "flowbook.trackingSource";

function storedRecent(): string[] {
  try {
    const v: unknown = JSON.parse(localStorage.getItem(RECENT_KEY) ?? "[]");
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string").slice(0, MAX_RECENT) : [];
  } catch {
    return [];
  }
}

/** The view-source signals and their actions. */
export function createViewSourceState(request: Request, transport: Transport, notify: (message: string) => void) {
  const [active, setActive] = createSignal<ViewSourceInfo>({ kind: "local" });
  const [error, setError] = createSignal<RemoteError | null>(null);
  const [recent, setRecent] = createSignal<string[]>(storedRecent());

  const remember = (url: string) => {
    const next = [url, ...recent().filter((u) => u !== url)].slice(0, MAX_RECENT);
    localStorage.setItem(RECENT_KEY, JSON.stringify(next));
    setRecent(next);
  };

  const connect = async (spec: ViewSourceSpec): Promise<ViewSourceInfo> => {
    const info = (await request({ type: "set-view-source", source: spec })) as ViewSourceInfo;
    setError(null);
    setActive(info);
    if (info.kind === "remote") {
      remember(info.url);
      localStorage.setItem(SOURCE_KEY, info.url);
    } else localStorage.removeItem(SOURCE_KEY);
    return info;
  };

  // A new connection starts on the app's store: point it at the remote the views show, or, on the
  // first connection, at the one they showed before the window was reloaded or the app restarted.
  let first = true;
  const resume = () => {
    const current = active();
    const url = current.kind === "remote" ? current.url : first ? (localStorage.getItem(SOURCE_KEY) ?? undefined) : undefined;
    first = false;
    if (!url) return;
    connect({ kind: "remote", url }).catch((err: unknown) => {
      setActive({ kind: "local" });
      localStorage.removeItem(SOURCE_KEY);
      notify(`The tracking server ${url} does not answer; the Tracking tab shows this app's store (${err instanceof Error ? err.message : String(err)})`);
    });
  };
  let wasUp = transport.connected();
  if (wasUp) resume();
  transport.onStatus((up) => {
    const reconnected = up && !wasUp;
    wasUp = up;
    if (reconnected) resume();
  });

  return {
    /** The source the host confirmed for this connection. */
    active,
    /** Why the last refresh of a remote source failed; null while it works. */
    error,
    /** Server URLs connected to before, most recent first. */
    recent,
    /** Switches the Tracking tab's source; rejects (keeping the old one) when the server does not answer. */
    connect,
    /** Asks the host whether an MLflow server answers at `url`. */
    test: (url: string) => request({ type: "test-view-source", url }) as Promise<{ url: string; version: string }>,
    /** Drops a URL from the recent list. */
    forget(url: string) {
      const next = recent().filter((u) => u !== url);
      localStorage.setItem(RECENT_KEY, JSON.stringify(next));
      setRecent(next);
    },
    /** Applies a `view-source-status` event (a remote's refreshes failing or working again). */
    applyStatus(event: ViewSourceStatus) {
      const current = active();
      if (current.kind !== "remote" || event.source.kind !== "remote" || event.source.artifactBase !== current.artifactBase) return;
      setError(event.error ?? null);
    },
  };
}

/** The view-source domain's state and actions. */
export type ViewSourceState = ReturnType<typeof createViewSourceState>;
