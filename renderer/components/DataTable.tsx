/**
 * A table of rows: click a header to sort by it (again to reverse), paged past 50 rows. With
 * `selection`, rows get checkboxes (or radios) and report the original row indexes.
 */
import { createMemo, createSignal, For, Show } from "solid-js";

const PAGE_SIZE = 50;

/** Formats a cell value for display. */
function formatValue(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(6)));
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

function compare(a: unknown, b: unknown): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (a === null || a === undefined) return b === null || b === undefined ? 0 : 1;
  if (b === null || b === undefined) return -1;
  return formatValue(a).localeCompare(formatValue(b), undefined, { numeric: true });
}

/** Row selection for the table-select widget. */
export interface TableSelection {
  selected: number[];
  multiple: boolean;
  onChange(selected: number[]): void;
}

/** Renders `rows` under `columns`, sortable and paged. */
export function DataTable(props: { columns: string[]; rows: unknown[][]; selection?: TableSelection; testid?: string }) {
  const [sort, setSort] = createSignal<{ column: number; descending: boolean } | null>(null);
  const [page, setPage] = createSignal(0);

  const sorted = createMemo(() => {
    const indexed = props.rows.map((row, index) => ({ row, index }));
    const s = sort();
    if (!s) return indexed;
    const sign = s.descending ? -1 : 1;
    return indexed.sort((a, b) => sign * compare(a.row[s.column], b.row[s.column]));
  });
  const pages = createMemo(() => Math.max(1, Math.ceil(props.rows.length / PAGE_SIZE)));
  // Clamped here rather than reset by an effect: a shorter new table just shows its last page.
  const current = createMemo(() => Math.min(page(), pages() - 1));
  const visible = createMemo(() => sorted().slice(current() * PAGE_SIZE, (current() + 1) * PAGE_SIZE));

  const toggleSort = (column: number) => {
    const s = sort();
    setSort(s && s.column === column ? { column, descending: !s.descending } : { column, descending: false });
  };
  const toggleRow = (index: number, on: boolean) => {
    const sel = props.selection;
    if (!sel) return;
    if (!sel.multiple) sel.onChange(on ? [index] : []);
    else sel.onChange(on ? [...sel.selected, index].sort((a, b) => a - b) : sel.selected.filter((i) => i !== index));
  };

  return (
    <div class="table-wrap" data-testid={props.testid ?? "output-table"}>
      <table>
        <thead>
          <tr>
            <Show when={props.selection}>
              <th />
            </Show>
            <For each={props.columns}>
              {(name, i) => (
                <th
                  data-testid="table-header"
                  classList={{ sorted: sort()?.column === i() }}
                  aria-sort={sort()?.column === i() ? (sort()?.descending ? "descending" : "ascending") : "none"}
                  onClick={() => toggleSort(i())}
                >
                  {name}
                  <span class="sort-mark">{sort()?.column === i() ? (sort()?.descending ? " ▼" : " ▲") : ""}</span>
                </th>
              )}
            </For>
          </tr>
        </thead>
        <tbody>
          <For each={visible()}>
            {(item) => (
              <tr data-testid="table-row" classList={{ selected: props.selection?.selected.includes(item.index) ?? false }}>
                <Show when={props.selection}>
                  {(sel) => (
                    <td>
                      <input
                        type={sel().multiple ? "checkbox" : "radio"}
                        checked={sel().selected.includes(item.index)}
                        onChange={(e) => toggleRow(item.index, e.currentTarget.checked)}
                        aria-label={`select row ${item.index + 1}`}
                      />
                    </td>
                  )}
                </Show>
                <For each={props.columns}>{(_, c) => <td>{formatValue(item.row[c()])}</td>}</For>
              </tr>
            )}
          </For>
        </tbody>
      </table>
      <Show when={pages() > 1}>
        <div class="pager">
          <button type="button" disabled={current() === 0} onClick={() => setPage(current() - 1)} data-testid="table-prev">
            ‹ Prev
          </button>
          <span>
            Page {current() + 1} of {pages()} · {props.rows.length} rows
          </span>
          <button
            type="button"
            disabled={current() >= pages() - 1}
            onClick={() => setPage(current() + 1)}
            data-testid="table-next"
          >
            Next ›
          </button>
        </div>
      </Show>
    </div>
  );
}
