/**
 * The cell-code comparison of two runs: their notebook/cell provenance and code hashes, and a line
 * diff when the code itself travelled with the runs (a flowbook.code tag). Flowbook records only a
 * hash of the cell code, so without that tag the view says so plainly instead of guessing.
 */
import { For, Show } from "solid-js";
import { TAG, tagOf, type Run } from "./types.ts";
import { lineDiff } from "./diff.ts";

/** Provenance and code diff of runs `a` and `b`. */
export function CodeDiff(props: { a: Run; b: Run }) {
  const hash = (r: Run) => tagOf(r, TAG.codeHash);
  const bothHashed = () => !!hash(props.a) && !!hash(props.b);
  const sameCode = () => bothHashed() && hash(props.a) === hash(props.b);
  const codeA = () => tagOf(props.a, TAG.code);
  const codeB = () => tagOf(props.b, TAG.code);
  const row = (r: Run) => (
    <tr>
      <th>{r.info.run_name || r.info.run_id}</th>
      <td>{tagOf(r, TAG.notebook) ?? "—"}</td>
      <td>{tagOf(r, TAG.cellId) ?? "—"}</td>
      <td class="tr-mono">{hash(r)?.slice(0, 12) ?? "—"}</td>
    </tr>
  );
  return (
    <section class="tr-section" data-testid="code-diff">
      <h3>Cell code</h3>
      <table class="tr-kv">
        <thead><tr><th>run</th><th>notebook</th><th>cell</th><th>code hash</th></tr></thead>
        <tbody>{row(props.a)}{row(props.b)}</tbody>
      </table>
      <Show
        when={bothHashed()}
        fallback={<div class="tr-muted" data-testid="code-diff-status">At least one of these runs was not logged from a Flowbook cell, so there is no cell code to compare.</div>}
      >
        <Show when={!sameCode()} fallback={<div data-testid="code-diff-status">Both runs ran the same cell code (identical hash).</div>}>
          <Show
            when={codeA() !== undefined && codeB() !== undefined}
            fallback={
              <div data-testid="code-diff-status">
                The cell code differs (different hashes), but the code itself is not stored with these runs — only its hash — so a line diff is not available.
              </div>
            }
          >
            <pre class="tr-diff" data-testid="code-diff-lines">
              <For each={lineDiff(codeA()!, codeB()!)}>
                {(l) => <div class={`tr-diff-${l.op}`}>{l.op === "add" ? "+ " : l.op === "del" ? "- " : "  "}{l.text}</div>}
              </For>
            </pre>
          </Show>
        </Show>
      </Show>
    </section>
  );
}
