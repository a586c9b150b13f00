/** One compare-view table: a row per key, a column per run, rows where the runs disagree marked. */
import { For } from "solid-js";
import type { DiffRow } from "../data/diff.ts";
import type { Run } from "../data/types.ts";

/** The rows of `rows` (only the differing ones with `onlyDiffs`) under `title`, one column per run. */
export function DiffTable(props: { title: string; rows: DiffRow[]; runs: Run[]; onlyDiffs: boolean; testid: string }) {
  const shown = () => (props.onlyDiffs ? props.rows.filter((r) => r.differs) : props.rows);
  return (
    <section class="tr-section" data-testid={props.testid}>
      <h3>{props.title}</h3>
      <table class="tr-kv tr-diff-table">
        <thead>
          <tr>
            <th />
            <For each={props.runs}>{(r) => <th>{r.info.run_name || r.info.run_id}</th>}</For>
          </tr>
        </thead>
        <tbody>
          <For each={shown()}>
            {(row) => (
              <tr classList={{ "tr-differs": row.differs }} data-testid="diff-row" data-key={row.key} data-differs={String(row.differs)}>
                <th>{row.key}</th>
                <For each={row.values}>{(v) => <td>{v ?? "—"}</td>}</For>
              </tr>
            )}
          </For>
        </tbody>
      </table>
    </section>
  );
}
