/** The bar above the runs table: filter box (with the store's error under it), actions, grouping. */
import { createSignal, For, Show } from "solid-js";
import type { GroupKey } from "../data/aggregate.ts";
import { plural } from "../../../electron/common/plural.ts";

/** Filter, show-deleted, selection actions, column chooser toggle and group-by picker. */
export function RunsToolbar(props: {
  filter: string;
  onFilter: (filter: string) => void;
  filterError: string;
  showDeleted: boolean;
  onShowDeleted: (v: boolean) => void;
  selected: string[];
  readOnly: boolean;
  onCompare?: (ids: string[]) => void;
  onDelete: () => void;
  onRestore: () => void;
  onRename: (name: string) => void;
  onToggleChooser: () => void;
  groupKeys: { params: string[]; tags: string[] };
  groupBy: GroupKey | null;
  onGroupBy: (g: GroupKey | null) => void;
  count: number;
  complete: boolean;
  loading: boolean;
  actionError: string;
}) {
  const [draft, setDraft] = createSignal(props.filter);
  const [newName, setNewName] = createSignal("");
  const groupValue = () => (props.groupBy ? `${props.groupBy.kind}:${props.groupBy.key}` : "");
  return (
    <div class="tr-toolbar">
      <form
        class="tr-filter"
        onSubmit={(e) => {
          e.preventDefault();
          props.onFilter(draft().trim());
        }}
      >
        <input
          class="tr-filter-input"
          data-testid="runs-filter"
          placeholder={'Filter runs: metrics.acc > 0.9 and params.lr = "0.01"'}
          value={draft()}
          onInput={(e) => setDraft(e.currentTarget.value)}
        />
        <button type="submit" data-testid="runs-filter-apply">Search</button>
        <Show when={props.filter}>
          <button type="button" onClick={() => (setDraft(""), props.onFilter(""))}>Clear</button>
        </Show>
      </form>
      <Show when={props.filterError}>
        <div class="tr-error" role="alert" data-testid="runs-filter-error">{props.filterError}</div>
      </Show>
      <div class="tr-actions">
        <span class="tr-muted" data-testid="runs-count">
          {/* An incomplete count is a page size, so it is never one. */}
          {props.complete ? plural(props.count, "run") : `${props.count.toLocaleString("en-US")}+ runs`}
          {props.loading ? " (loading…)" : ""}
        </span>
        <label>
          <input type="checkbox" data-testid="runs-show-deleted" checked={props.showDeleted} onChange={(e) => props.onShowDeleted(e.currentTarget.checked)} /> deleted runs
        </label>
        <button data-testid="columns-button" onClick={() => props.onToggleChooser()}>Columns</button>
        <label>
          group by{" "}
          <select
            data-testid="runs-groupby"
            value={groupValue()}
            onChange={(e) => {
              const v = e.currentTarget.value;
              const i = v.indexOf(":");
              props.onGroupBy(v ? { kind: v.slice(0, i) as "param" | "tag", key: v.slice(i + 1) } : null);
            }}
          >
            <option value="">(none)</option>
            <For each={props.groupKeys.params}>{(k) => <option value={`param:${k}`}>param {k}</option>}</For>
            <For each={props.groupKeys.tags}>{(k) => <option value={`tag:${k}`}>tag {k}</option>}</For>
          </select>
        </label>
        <Show when={props.selected.length > 0}>
          <span data-testid="runs-selected-count">{props.selected.length} selected</span>
          <Show when={props.onCompare && props.selected.length >= 2}>
            <button data-testid="compare-button" onClick={() => props.onCompare?.(props.selected)}>Compare</button>
          </Show>
          <Show when={!props.readOnly}>
            <Show when={props.showDeleted} fallback={<button data-testid="runs-delete" onClick={() => props.onDelete()}>Delete</button>}>
              <button data-testid="runs-restore" onClick={() => props.onRestore()}>Restore</button>
            </Show>
            <Show when={props.selected.length === 1}>
              <form
                class="tr-inline-form"
                onSubmit={(e) => {
                  e.preventDefault();
                  if (newName().trim()) props.onRename(newName().trim());
                  setNewName("");
                }}
              >
                <input data-testid="run-rename-input" placeholder="new run name" value={newName()} onInput={(e) => setNewName(e.currentTarget.value)} />
                <button type="submit" data-testid="run-rename">Rename</button>
              </form>
            </Show>
          </Show>
        </Show>
      </div>
      <Show when={props.actionError}>
        <div class="tr-error" role="alert">{props.actionError}</div>
      </Show>
    </div>
  );
}
