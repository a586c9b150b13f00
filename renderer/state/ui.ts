/** Renderer-only flags: theme choice and which overlay is open. */
import { createMemo, createSignal } from "solid-js";
import type { CellId } from "../../electron/protocol.ts";

/** The user's theme choice; "system" follows prefers-color-scheme. */
export type ThemeChoice = "system" | "light" | "dark";

/** The main area: the notebook, or the tracking views (experiments, runs, models). */
export type MainView = "notebook" | "tracking";

/** Which overlay panel is showing, if any. */
export type Overlay = "none" | "help" | "open" | "new" | "connect" | "settings" | "export";

/** How the user answered "the notebook has unsaved changes": save first, drop them, or stay. */
export type LeaveChoice = "save" | "discard" | "cancel";

/** The unsaved-changes question on screen: what would discard the edits, and its answer. */
export interface LeaveQuestion {
  what: string;
  answer(choice: LeaveChoice): void;
}

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
  const [leaving, setLeaving] = createSignal<LeaveQuestion | null>(null);
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
    /** The unsaved-changes question being asked, if any. */
    leaving,
    /**
     * Asks whether to save, discard or keep the open notebook's unsaved edits before `what`
     * (e.g. "opening b.ts"); a second question cancels the first.
     */
    askLeave(what: string): Promise<LeaveChoice> {
      leaving()?.answer("cancel");
      return new Promise((resolve) =>
        setLeaving({
          what,
          answer(choice) {
            setLeaving(null);
            resolve(choice);
          },
        }),
      );
    },
    /** Shows a one-line message (a failed save, a lost connection) until dismissed or replaced. */
    setNotice,
    /** The cell the notebook should bring into view (from a run's "open notebook at this cell"). */
    focusedCell: () => focused()?.id,
    /** Shows the notebook and scrolls cell `id` into view once it is on screen. */
    focusCell(id: CellId) {
      setView("notebook");
      setFocused({ id });
    },
    /**
     * Switches to the other look and remembers it; switching back to the system's look follows the
     * system again. (Cycling system → light → dark made the first click do nothing on a light system.)
     */
    cycleTheme() {
      const toDark = !dark();
      const next: ThemeChoice = toDark === systemDark() ? "system" : toDark ? "dark" : "light";
      localStorage.setItem(THEME_KEY, next);
      setThemeSignal(next);
    },
  };
}

/** The UI domain's state and actions. */
export type UiState = ReturnType<typeof createUiState>;
