/**
 * The one path a widget's value takes on screen and to the kernel: `useDraft` holds what the user
 * chose until the kernel's value moves on, `useValue` shows and sends a new value, and
 * `useThrottledSend` spaces a dragged control's sends. Every control gets `WidgetProps`: its spec
 * and `send`, which reaches the kernel, or the form or array around it.
 */
import { createMemo, createSignal, onCleanup } from "solid-js";
import type { WidgetInput, WidgetSpec } from "../../../electron/protocol.ts";

/** A dragged slider sends at most this often; releasing it always sends the final value. */
const DRAG_INTERVAL_MS = 100;

/** The spec of one widget kind. */
export type SpecOf<K extends WidgetSpec["kind"]> = Extract<WidgetSpec, { kind: K }>;

/** What every widget control gets: its spec, and where its inputs go. */
export interface WidgetProps<K extends WidgetSpec["kind"]> {
  spec: SpecOf<K>;
  send: (input: WidgetInput<SpecOf<K>>) => void;
}

/**
 * The value on screen: what the user last chose, as long as the kernel's value is still the one
 * that choice was made against; a new value from the kernel (the defining cell re-ran) wins.
 */
export function useDraft<T>(kernelValue: () => T) {
  const [draft, setDraft] = createSignal<{ base: string; value: T }>();
  const key = () => JSON.stringify(kernelValue());
  const value = createMemo(() => {
    const d = draft();
    return d && d.base === key() ? d.value : kernelValue();
  });
  return [value, (v: T) => setDraft({ base: key(), value: v })] as const;
}

/** A control whose input is its value: the value on screen, and `commit`, which shows and sends a new one. */
export function useValue<S extends WidgetSpec>(props: { spec: S; send: (input: S["value"]) => void }) {
  const [value, setValue] = useDraft(() => props.spec.value as S["value"]);
  const commit = (v: S["value"]) => {
    setValue(v);
    props.send(v);
  };
  return [value, commit, setValue] as const;
}

/** `soon` sends the latest value at most every 100 ms while dragging; `now` sends at once (on release). */
export function useThrottledSend<T>(send: (v: T) => void) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let latest: T;
  onCleanup(() => clearTimeout(timer));
  return {
    soon(v: T) {
      latest = v;
      if (timer !== undefined) return;
      timer = setTimeout(() => {
        timer = undefined;
        send(latest);
      }, DRAG_INTERVAL_MS);
    },
    now(v: T) {
      clearTimeout(timer);
      timer = undefined;
      send(v);
    },
  };
}
