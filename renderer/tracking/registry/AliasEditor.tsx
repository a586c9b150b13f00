/** Set or remove a registered model's aliases (an alias points at one version; setting moves it). */
import { createSignal, For, Show } from "solid-js";
import type { TrackingApi } from "../data/api.ts";
import { errorText } from "../data/api.ts";

/** Alias chips with remove buttons and a "set alias" form; `version` fixes the target version. */
export function AliasEditor(props: {
  api: TrackingApi;
  model: string;
  aliases: { alias: string; version: string }[];
  versions: string[];
  version?: string;
}) {
  const [alias, setAlias] = createSignal("");
  const [target, setTarget] = createSignal("");
  const [error, setError] = createSignal("");
  const run = async (call: () => Promise<void>) => {
    setError("");
    try {
      await call();
    } catch (err) {
      setError(errorText(err));
    }
  };
  const shown = () => (props.version ? props.aliases.filter((a) => a.version === props.version) : props.aliases);
  return (
    <div class="tr-aliases" data-testid="alias-editor">
      <For each={shown()}>
        {(a) => (
          <span class="tr-chip" data-testid="alias-chip" data-alias={a.alias} data-version={a.version}>
            @{a.alias} → v{a.version}{" "}
            <button class="tr-x" title="remove alias" data-testid="alias-remove" onClick={() => void run(() => props.api.call("deleteRegisteredModelAlias", props.model, a.alias))}>×</button>
          </span>
        )}
      </For>
      <form
        class="tr-inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          const v = props.version ?? (target() || props.versions[0]);
          if (alias().trim() && v) void run(() => props.api.call("setRegisteredModelAlias", props.model, alias().trim(), v)).then(() => setAlias(""));
        }}
      >
        <input data-testid="alias-input" placeholder="alias (e.g. champion)" value={alias()} onInput={(e) => setAlias(e.currentTarget.value)} />
        <Show when={!props.version}>
          <select data-testid="alias-version" value={target() || props.versions[0]} onChange={(e) => setTarget(e.currentTarget.value)}>
            <For each={props.versions}>{(v) => <option value={v}>v{v}</option>}</For>
          </select>
        </Show>
        <button type="submit" data-testid="alias-set">Set alias</button>
      </form>
      <Show when={error()}><div class="tr-error" role="alert">{error()}</div></Show>
    </div>
  );
}
