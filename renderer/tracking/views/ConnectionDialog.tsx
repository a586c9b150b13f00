/**
 * "Connect to tracking server…": choose where the Tracking tab reads from — this app's store, or
 * an MLflow server (ours or MLflow's own) at a URL — test a server before switching, and reuse
 * recently used URLs. The host does the real checking; this form only catches what is plainly not
 * an http(s) URL.
 */
import { createSignal, For, Show } from "solid-js";
import { Icon } from "../../components/Icon.tsx";
import type { ViewSourceInfo, ViewSourceSpec } from "../../../electron/protocol.ts";
import { errorText } from "../data/api.ts";

/** Why `text` cannot be a server URL, or null when the host should judge it. */
function urlProblem(text: string): string | null {
  const t = text.trim();
  if (!t) return "Enter the server's URL, e.g. http://127.0.0.1:5000";
  let u: URL;
  try {
    u = new URL(t);
  } catch {
    return "Not a URL: expected http://host:port, optionally followed by a base path";
  }
  return u.protocol === "http:" || u.protocol === "https:" ? null : `Only http:// and https:// servers are supported, not ${u.protocol}`;
}

type Outcome = { ok: true; text: string } | { ok: false; text: string };

/** The dialog; `connect` resolves once the host switched the views (then the dialog closes). */
export function ConnectionDialog(props: {
  current: ViewSourceInfo;
  recent: string[];
  test: (url: string) => Promise<{ url: string; version: string }>;
  connect: (spec: ViewSourceSpec) => Promise<unknown>;
  forget: (url: string) => void;
  onClose: () => void;
}) {
  const [kind, setKind] = createSignal<ViewSourceSpec["kind"]>(props.current.kind);
  const [url, setUrl] = createSignal(props.current.kind === "remote" ? props.current.url : (props.recent[0] ?? ""));
  const [touched, setTouched] = createSignal(false);
  const [busy, setBusy] = createSignal<"test" | "connect" | null>(null);
  const [outcome, setOutcome] = createSignal<Outcome | null>(null);
  const problem = () => (kind() === "remote" ? urlProblem(url()) : null);

  const run = async (what: "test" | "connect") => {
    setTouched(true);
    if (problem()) return;
    setBusy(what);
    setOutcome(null);
    try {
      if (what === "test") {
        const r = await props.test(url().trim());
        setOutcome({ ok: true, text: `A tracking server answers at ${r.url} (version ${r.version})` });
      } else {
        await props.connect(kind() === "local" ? { kind: "local" } : { kind: "remote", url: url().trim() });
        props.onClose();
      }
    } catch (err) {
      setOutcome({ ok: false, text: errorText(err) });
    } finally {
      setBusy(null);
    }
  };

  return (
    <div class="overlay" onClick={(e) => e.target === e.currentTarget && props.onClose()}>
      <form
        class="dialog tr-connect"
        role="dialog"
        aria-label="Connect to tracking server"
        data-testid="connection-dialog"
        onSubmit={(e) => (e.preventDefault(), void run("connect"))}
      >
        <h2>Connect to tracking server</h2>
        <label class="tr-connect-choice">
          <input type="radio" name="source" data-testid="source-local" checked={kind() === "local"} onChange={() => (setKind("local"), setOutcome(null))} />
          This app's store <span class="tr-muted">(live, pushed as it changes)</span>
        </label>
        <label class="tr-connect-choice">
          <input type="radio" name="source" data-testid="source-remote" checked={kind() === "remote"} onChange={() => (setKind("remote"), setOutcome(null))} />
          MLflow server at URL <span class="tr-muted">(Flowbook's or MLflow's own; re-read every few seconds)</span>
        </label>
        <input
          class="tr-connect-url"
          data-testid="server-url"
          placeholder="http://127.0.0.1:5000"
          disabled={kind() !== "remote"}
          value={url()}
          onInput={(e) => (setUrl(e.currentTarget.value), setOutcome(null))}
          onBlur={() => setTouched(true)}
        />
        <Show when={touched() && problem()}>
          <div class="dialog-error" data-testid="server-url-problem">{problem()}</div>
        </Show>
        <Show when={kind() === "remote" && props.recent.length > 0}>
          <div class="tr-connect-recent">
            <span class="tr-muted">Recent:</span>
            <For each={props.recent}>
              {(u) => (
                <span class="tr-connect-recent-item">
                  <button type="button" class="tr-link-btn" data-testid="recent-server" onClick={() => (setUrl(u), setOutcome(null))}>{u}</button>
                  <button type="button" class="tr-link-btn" title="forget" aria-label={`Forget ${u}`} onClick={() => props.forget(u)}><Icon name="close" /></button>
                </span>
              )}
            </For>
          </div>
        </Show>
        <Show when={outcome()}>
          {(o) => (
            <div classList={{ "dialog-error": !o().ok, "tr-connect-ok": o().ok }} role={o().ok ? "status" : "alert"} data-testid="connection-result" data-ok={o().ok ? "yes" : "no"}>
              {o().text}
            </div>
          )}
        </Show>
        <div class="dialog-actions">
          <Show when={kind() === "remote"}>
            <button type="button" data-testid="connection-test" disabled={busy() !== null} onClick={() => void run("test")}>
              {busy() === "test" ? "Testing…" : "Test connection"}
            </button>
          </Show>
          <button type="button" data-testid="connection-cancel" onClick={() => props.onClose()}>Cancel</button>
          <button type="submit" data-testid="connection-connect" disabled={busy() !== null}>
            {busy() === "connect" ? "Connecting…" : kind() === "local" ? "Use this app's store" : "Connect"}
          </button>
        </div>
      </form>
    </div>
  );
}
