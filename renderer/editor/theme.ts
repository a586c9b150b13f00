/**
 * Editor colours as CSS variables, so the light/dark switch in styles.css restyles every editor
 * without reconfiguring a single view.
 */
import { HighlightStyle, syntaxHighlighting } from "@codemirror/language";
import type { Extension } from "@codemirror/state";
import { EditorView } from "@codemirror/view";
import { tags as t } from "@lezer/highlight";

const highlight = HighlightStyle.define([
  { tag: [t.keyword, t.controlKeyword, t.moduleKeyword, t.operatorKeyword], color: "var(--syn-keyword)" },
  { tag: [t.string, t.special(t.string), t.regexp], color: "var(--syn-string)" },
  { tag: [t.number, t.bool, t.null], color: "var(--syn-number)" },
  { tag: [t.comment, t.lineComment, t.blockComment], color: "var(--syn-comment)", fontStyle: "italic" },
  { tag: [t.typeName, t.className, t.namespace], color: "var(--syn-type)" },
  { tag: [t.function(t.variableName), t.function(t.propertyName)], color: "var(--syn-function)" },
  { tag: [t.definition(t.variableName)], color: "var(--syn-definition)" },
  { tag: [t.propertyName], color: "var(--syn-property)" },
  { tag: [t.operator, t.punctuation], color: "var(--syn-operator)" },
]);

/** Editor chrome and syntax colours bound to the page's theme variables. */
export const editorTheme: Extension = [
  EditorView.theme({
    "&": { backgroundColor: "var(--code-bg)", color: "var(--fg)", fontSize: "13px" },
    "&.cm-focused": { outline: "none" },
    ".cm-scroller": { fontFamily: "var(--mono)", lineHeight: "1.5" },
    ".cm-content": { caretColor: "var(--accent)", padding: "6px 0" },
    ".cm-cursor": { borderLeftColor: "var(--accent)" },
    // The gutter stays put while a long line scrolls sideways: an opaque background, a margin and a
    // rule between numbers and code, so scrolled code never runs into (or seems under) a number.
    ".cm-gutters": { backgroundColor: "var(--code-bg)", color: "var(--muted)", border: "none", borderRight: "1px solid var(--border)" },
    ".cm-lineNumbers .cm-gutterElement": { padding: "0 8px 0 6px" },
    ".cm-line": { paddingLeft: "6px" },
    ".cm-activeLine": { backgroundColor: "var(--active-line)" },
    ".cm-activeLineGutter": { backgroundColor: "var(--active-line)" },
    "&.cm-focused .cm-selectionBackground, .cm-selectionBackground": { backgroundColor: "var(--selection) !important" },
    ".cm-matchingBracket": { backgroundColor: "var(--bracket)", outline: "none" },
    ".cm-tooltip": { backgroundColor: "var(--panel)", color: "var(--fg)", border: "1px solid var(--border)" },
    ".cm-tooltip-autocomplete > ul > li[aria-selected]": { backgroundColor: "var(--accent)", color: "var(--accent-fg)" },
  }),
  syntaxHighlighting(highlight),
];
