/**
 * What a form keeps between submits: the inputs its element took, less those a later one makes
 * redundant. Pure, so it is tested without a browser.
 */
import type { ElementInput, WidgetSpec } from "../../../electron/protocol.ts";

/**
 * `inputs` for `spec` with `input` added, less the inputs it makes redundant, so a slider dragged
 * for a minute inside a form submits one value: a leaf's input replaces its value (only the last
 * counts), an array's or dictionary's count per element, a form's all count.
 */
export function addInput(spec: WidgetSpec, inputs: readonly unknown[], input: unknown): unknown[] {
  if (spec.kind === "form") return [...inputs, input];
  if (spec.kind !== "array" && spec.kind !== "dictionary") return [input];
  const { index, value } = input as ElementInput;
  const others = (inputs as ElementInput[]).filter((i) => i.index !== index);
  const mine = (inputs as ElementInput[]).filter((i) => i.index === index).map((i) => i.value);
  return [...others, ...addInput(spec.elements[index]!, mine, value).map((v) => ({ index, value: v }))];
}
