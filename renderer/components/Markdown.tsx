/** Markdown output rendered with marked, with scripts and inline handlers stripped. */
import { marked } from "marked";
import { createMemo, Show } from "solid-js";

const BLOCKED = "script, iframe, object, embed, base, meta, link";

/**
 * Removes what could run code. The page's CSP already blocks inline scripts; stripping them too
 * keeps a notebook's markdown from depending on that.
 */
function sanitize(html: string): string {
  const template = document.createElement("template");
  template.innerHTML = html;
  template.content.querySelectorAll(BLOCKED).forEach((el) => el.remove());
  template.content.querySelectorAll("*").forEach((el) => {
    for (const attr of Array.from(el.attributes)) {
      const name = attr.name.toLowerCase();
      const value = attr.value.trim().toLowerCase();
      if (name.startsWith("on")) el.removeAttribute(attr.name);
      else if ((name === "href" || name === "src" || name === "xlink:href") && value.startsWith("javascript:"))
        el.removeAttribute(attr.name);
    }
  });
  return template.innerHTML;
}

/** Markdown as HTML, or why marked could not render it (very long lines overflow its stack). */
function render(markdown: string): { html: string } | { error: string } {
  try {
    return { html: sanitize(marked.parse(markdown, { async: false, gfm: true })) };
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
}

/** Renders a markdown string as HTML; one it cannot render shows as plain text under the reason, never as nothing. */
export function Markdown(props: { markdown: string }) {
  const rendered = createMemo(() => render(props.markdown));
  return (
    <Show
      when={"html" in rendered() && (rendered() as { html: string })}
      fallback={
        <div class="markdown" data-testid="output-markdown">
          <div class="markdown-error" data-testid="markdown-error">
            This Markdown could not be rendered ({(rendered() as { error: string }).error}); it is shown as text.
          </div>
          <pre class="markdown-source">{props.markdown}</pre>
        </div>
      }
    >
      {(ok) => <div class="markdown" data-testid="output-markdown" innerHTML={ok().html} />}
    </Show>
  );
}
