/** Renderer-only flags: theme choice and which overlay is open. */
import { createMemo, createSignal } from "solid-js";
import type { CellId } from "../../electron/protocol.ts";

/** The user's theme choice; "system" follows prefers-color-scheme. */
export type ThemeChoice = "system" | "light" | "dark";

/** The main area: the notebook, or the tracking views (experiments, runs, models). */
export type MainView = "notebook" | "tracking";

/** Which overlay panel is showing, if any. */
export type Overlay = "none" | "help" | "open" | "new" | "connect";

const THEME_KEY = "flowbook.theme";

function storedTheme(): ThemeChoice {
  const v = localStorage.getItem(THEME_KEY);
  return v === "light" || v === "dark" ? v : "system";
}

/** Theme and overlay signals with their actions. */
export function createUiState() {
  const [theme, setThemeSignal] = createSignal<ThemeChoice>(storedTheme());
  const media = window.matchMedia("(prefers-color-scheme: dark)");
  const [systemDark, setSystemDark] = createSignal(media.matches);
  media.addEventListener("change", (e) => setSystemDark(e.matches));
  const [overlay, setOverlay] = createSignal<Overlay>("none");
  const [view, setView] = createSignal<MainView>("notebook");
  const [notice, setNotice] = createSignal<string | null>(null);
  // Not deduplicated: asking for the same cell again scrolls to it again.
  const [focused, setFocused] = createSignal<{ id: CellId } | null>(null, { equals: false });

  /** The theme actually on screen, for libraries (Plotly) that cannot read CSS variables. */
  const dark = createMemo(() => (theme() === "system" ? systemDark() : theme() === "dark"));

  return {
    theme,
    dark,
    overlay,
    setOverlay,
    view,
    setView,
    notice,
    /** Shows a one-line message (a failed save, a lost connection) until dismissed or replaced. */
    setNotice,
    /** The cell the notebook should bring into view (from a run's "open notebook at this cell"). */
    focusedCell: () => focused()?.id,
    /** Shows the notebook and scrolls cell `id` into view once it is on screen. */
    focusCell(id: CellId) {
      setView("notebook");
      setFocused({ id });
    },
    /** Cycles system → light → dark and remembers the choice. */
    cycleTheme() {
      const next: ThemeChoice = theme() === "system" ? "light" : theme() === "light" ? "dark" : "system";
      localStorage.setItem(THEME_KEY, next);
      setThemeSignal(next);
    },
  };
}

/** The UI domain's state and actions. */
export type UiState = ReturnType<typeof createUiState>;
