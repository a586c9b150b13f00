/** A JSON value as a collapsible tree; objects past the first levels start closed. */
import { For, Match, Switch } from "solid-js";

const OPEN_DEPTH = 1;

function preview(value: object): string {
  return Array.isArray(value) ? `Array(${value.length})` : `{${Object.keys(value).length} keys}`;
}

function JsonNode(props: { value: unknown; depth: number }) {
  const isObject = () => typeof props.value === "object" && props.value !== null;
  const entries = () => Object.entries(props.value as object);
  return (
    <Switch>
      <Match when={isObject()}>
        <details class="json-node" open={props.depth <= OPEN_DEPTH}>
          <summary>{preview(props.value as object)}</summary>
          <ul>
            <For each={entries()}>
              {([key, value]) => (
                <li>
                  <span class="json-key">{key}</span>: <JsonNode value={value} depth={props.depth + 1} />
                </li>
              )}
            </For>
          </ul>
        </details>
      </Match>
      <Match when={typeof props.value === "string"}>
        <span class="json-string">{JSON.stringify(props.value)}</span>
      </Match>
      <Match when={true}>
        <span class="json-scalar">{String(props.value)}</span>
      </Match>
    </Switch>
  );
}

/** Renders any JSON value; nested objects expand on click. */
export function JsonTree(props: { value: unknown }) {
  return (
    <div class="json" data-testid="output-json">
      <JsonNode value={props.value} depth={0} />
    </div>
  );
}
