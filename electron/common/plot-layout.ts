/**
 * Plotly layouts as cells write them, made drawable by the Plotly Flowbook ships: the app's charts
 * and an exported page draw a figure the same way.
 */

/**
 * Plotly 3+ dropped string titles (`title: "loss"`); cells written in that common style would lose
 * their titles, so strings become `{ text }` for the figure and its axes.
 */
export function withTitleObjects(layout: Record<string, unknown>): Record<string, unknown> {
  const fix = (v: unknown) => (typeof v === "string" ? { text: v } : v);
  const out: Record<string, unknown> = { ...layout };
  if ("title" in out) out.title = fix(out.title);
  for (const [key, value] of Object.entries(out)) {
    if (/^[xyz]axis\d*$/.test(key) && value && typeof value === "object" && "title" in value) {
      out[key] = { ...(value as Record<string, unknown>), title: fix((value as { title: unknown }).title) };
    }
  }
  return out;
}
