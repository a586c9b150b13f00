/** Markdown output rendered with marked, with scripts and inline handlers stripped. */
import { marked } from "marked";
import { createMemo } from "solid-js";

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

/** Renders a markdown string as HTML. */
export function Markdown(props: { markdown: string }) {
  const html = createMemo(() => sanitize(marked.parse(props.markdown, { async: false, gfm: true })));
  return <div class="markdown" data-testid="output-markdown" innerHTML={html()} />;
}
