/**
 * The app's icons as inline SVG: emoji and symbol glyphs depend on the fonts installed (without an
 * emoji font they are empty boxes); an SVG path draws the same everywhere and follows `currentColor`.
 */
import type { JSX } from "solid-js";

/** Each icon's path data on a 16×16 grid, stroked (filled where `FILLED` says). */
const PATHS = {
  run: "M4 2.5v11l9-5.5z",
  stop: "M3.5 3.5h9v9h-9z",
  restart: "M13 8a5 5 0 1 1-1.5-3.6M13 2.5v3h-3",
  sun: "M8 5a3 3 0 1 0 0 6 3 3 0 0 0 0-6zM8 1v2M8 13v2M1 8h2M13 8h2M3 3l1.4 1.4M11.6 11.6 13 13M3 13l1.4-1.4M11.6 4.4 13 3",
  moon: "M13 10A6 6 0 0 1 6 3a6 6 0 1 0 7 7z",
  close: "M4 4l8 8M12 4l-8 8",
  up: "M8 13V3M4 7l4-4 4 4",
  down: "M8 3v10M4 9l4 4 4-4",
  "add-above": "M8 15V7M5 10l3-3 3 3M3 2.5h10",
  "add-below": "M8 1v8M5 6l3 3 3-3M3 13.5h10",
  folder: "M1.5 4V13h13V5.5H7.5L6 4z",
  file: "M3.5 1.5h6l3 3v10h-9zM9.5 1.5v3h3",
  trash: "M2.5 4h11M6 4V2.5h4V4M4 4l.8 10h6.4L12 4",
  edit: "M11 2.5l2.5 2.5L6 12.5H3.5V10z",
  restore: "M3 8a5 5 0 1 0 1.5-3.6M3 2.5v3h3",
} as const;

const FILLED = new Set<IconName>(["run", "stop", "moon"]);

/** An icon's name. */
export type IconName = keyof typeof PATHS;

/** One icon, 1em square, in the text colour; decorative (the button carries the label). */
export function Icon(props: { name: IconName; class?: string }): JSX.Element {
  const filled = () => FILLED.has(props.name);
  return (
    <svg
      class={`icon-svg ${props.class ?? ""}`}
      data-icon={props.name}
      viewBox="0 0 16 16"
      width="1em"
      height="1em"
      aria-hidden="true"
      fill={filled() ? "currentColor" : "none"}
      stroke="currentColor"
      stroke-width={filled() ? 1 : 1.6}
      stroke-linecap="round"
      stroke-linejoin="round"
    >
      <path d={PATHS[props.name]} />
    </svg>
  );
}
