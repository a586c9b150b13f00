/**
 * The cell-code comparison of two runs: their notebook/cell provenance and code hashes, and, when
 * the hashes differ, a line diff of the cell as each run's notebook snapshot has it. A run logged
 * outside Flowbook, or before snapshots were recorded, is said to be so plainly instead of guessed at.
 */
import { createMemo, createResource, For, Match, Show, Switch } from "solid-js";
import type { TrackingApi } from "../data/api.ts";
import { errorText } from "../data/api.ts";
import { TAG, tagOf, type Run } from "../data/types.ts";
import { lineDiff, type DiffLine } from "../data/diff.ts";
import { cellOf, fetchSnapshot, fromFlowbook } from "../data/provenance.ts";

const nameOf = (r: Run) => r.info.run_name || r.info.run_id;

/** What the section can say about the two cells' code. */
type Outcome =
  | { kind: "message"; text: string }
  | { kind: "diff"; lines: DiffLine[]; note?: string };

/** Provenance and code diff of runs `a` and `b`. */
export function CodeDiff(props: { api: TrackingApi; a: Run; b: Run }) {
  const hash = (r: Run) => tagOf(r, TAG.codeHash);
  const cellId = (r: Run) => tagOf(r, TAG.cellId) ?? "";
  const outside = () => [props.a, props.b].filter((r) => !fromFlowbook(r));
  const sameCode = () => hash(props.a) === hash(props.b);
  // A string key, so re-reads of the same runs (live updates) do not fetch the snapshots again.
  const wanted = createMemo(() => (outside().length === 0 && !sameCode() ? `${props.a.info.run_id}\n${props.b.info.run_id}` : undefined));
  const [snapshots] = createResource(wanted, (key) => Promise.all(key.split("\n").map((id) => fetchSnapshot(props.api, id))));

  const outcome = createMemo((): Outcome | undefined => {
    if (outside().length) {
      return { kind: "message", text: `${outside().map(nameOf).join(" and ")} ${outside().length > 1 ? "were" : "was"} logged outside Flowbook (no flowbook.* tags), so there is no cell code to compare.` };
    }
    if (sameCode()) return { kind: "message", text: "Both runs ran the same cell code (identical hash)." };
    if (snapshots.error) return { kind: "message", text: errorText(snapshots.error) };
    const texts = snapshots.latest;
    if (!texts) return undefined;
    const missing = [props.a, props.b].filter((_, i) => texts[i] === null);
    if (missing.length) {
      return {
        kind: "message",
        text: `The cell code differs (different hashes), but ${missing.map(nameOf).join(" and ")} ${missing.length > 1 ? "have" : "has"} no notebook snapshot — only its hash was recorded — so a line diff is not available.`,
      };
    }
    const [a, b] = [cellOf(texts[0]!, cellId(props.a)), cellOf(texts[1]!, cellId(props.b))];
    if (!a || !b) return { kind: "message", text: `The notebook snapshot of ${nameOf(a ? props.b : props.a)} has no cell ${cellId(a ? props.b : props.a)}.` };
    const note = a.id === b.id ? undefined : `Different cells: ${a.name ?? a.id} (${nameOf(props.a)}) and ${b.name ?? b.id} (${nameOf(props.b)}).`;
    return { kind: "diff", lines: lineDiff(a.code, b.code), ...(note ? { note } : {}) };
  });

  const message = () => {
    const o = outcome();
    return o?.kind === "message" ? o.text : undefined;
  };
  const diff = () => {
    const o = outcome();
    return o?.kind === "diff" ? o : undefined;
  };

  const row = (r: Run) => (
    <tr>
      <th>{nameOf(r)}</th>
      <td>{tagOf(r, TAG.notebook) ?? "—"}</td>
      <td>{tagOf(r, TAG.cellId) ?? "—"}</td>
      <td class="tr-mono">{hash(r)?.slice(0, 12) ?? "—"}</td>
    </tr>
  );
  const marks = { add: "+ ", del: "- ", same: "  " } as const;
  return (
    <section class="tr-section" data-testid="code-diff">
      <h3>Cell code</h3>
      <table class="tr-kv">
        <thead><tr><th>run</th><th>notebook</th><th>cell</th><th>code hash</th></tr></thead>
        <tbody>{row(props.a)}{row(props.b)}</tbody>
      </table>
      <Switch fallback={<div class="tr-muted">Loading the notebook snapshots…</div>}>
        <Match when={message()}>
          {(text) => <div classList={{ "tr-muted": outside().length > 0 }} data-testid="code-diff-status">{text()}</div>}
        </Match>
        <Match when={diff()}>
          {(d) => (
            <>
              <Show when={d().note}><div data-testid="code-diff-status">{d().note}</div></Show>
              <div class="tr-muted">
                {nameOf(props.a)} → {nameOf(props.b)}: +{d().lines.filter((l) => l.op === "add").length} −{d().lines.filter((l) => l.op === "del").length} lines
              </div>
              <pre class="tr-diff" data-testid="code-diff-lines">
                <For each={d().lines}>{(l) => <div class={`tr-diff-${l.op}`} data-op={l.op}>{marks[l.op]}{l.text}</div>}</For>
              </pre>
            </>
          )}
        </Match>
      </Switch>
    </section>
  );
}
