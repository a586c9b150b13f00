/**
 * @internal Test fixture: a renderer connection as a transport makes it, recording the events a host
 * sends and letting a test send raw commands (host and app-host tests share it).
 */
import type { HostEvent } from "../protocol.ts";
import type { Connection } from "./host.ts";

/** @internal A connection as a transport would make it: records events, lets the test send raw commands. */
export function connection() {
  const events: HostEvent[] = [];
  const waiters: { match: (e: HostEvent) => boolean; resolve: (e: HostEvent) => void }[] = [];
  let deliver: (raw: unknown) => void = () => undefined;
  const conn: Connection = {
    send(e) {
      events.push(e);
      for (const w of waiters.splice(0)) {
        if (w.match(e)) w.resolve(e);
        else waiters.push(w);
      }
    },
    onCommand(cb) {
      deliver = cb;
      return () => (deliver = () => undefined);
    },
  };
  const next = (match: (e: HostEvent) => boolean) => {
    const seen = events.find(match);
    return seen ? Promise.resolve(seen) : new Promise<HostEvent>((resolve) => waiters.push({ match, resolve }));
  };
  let n = 0;
  /** Sends a request and resolves with its reply. */
  const request = async (cmd: Record<string, unknown>) => {
    const requestId = `t${++n}`;
    deliver({ ...cmd, requestId });
    return (await next((e) => e.type === "reply" && e.requestId === requestId)) as Extract<HostEvent, { type: "reply" }>;
  };
  return { conn, events, next, request, raw: (c: unknown) => deliver(c) };
}
