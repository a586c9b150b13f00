/**
 * How an artifact is previewed, chosen from its file name the way MLflow's FileUtils does, and a
 * small CSV/TSV parser for the table preview.
 */

/** The preview an artifact gets. */
export type PreviewKind = "image" | "text" | "table" | "html" | "pdf" | "none";

const IMAGE = new Set(["jpg", "jpeg", "png", "gif", "bmp", "svg", "webp"]);
const TEXT = new Set([
  "txt", "log", "err", "cfg", "conf", "ini", "properties", "toml", "yaml", "yml", "xml", "json", "js", "ts",
  "py", "md", "rst", "jsonnet", "sh", "r",
]);
const TEXT_NAMES = new Set(["MLmodel", "MLproject", "requirements.txt", "conda.yaml", "python_env.yaml"]);

/** The preview kind of an artifact path. */
export function previewKind(path: string): PreviewKind {
  const name = path.split("/").pop() ?? path;
  if (TEXT_NAMES.has(name)) return "text";
  const dot = name.lastIndexOf(".");
  const ext = dot >= 0 ? name.slice(dot + 1).toLowerCase() : "";
  if (IMAGE.has(ext)) return "image";
  if (TEXT.has(ext)) return "text";
  if (ext === "csv" || ext === "tsv") return "table";
  if (ext === "html" || ext === "htm") return "html";
  if (ext === "pdf") return "pdf";
  return "none";
}

/**
 * Parses delimited text (RFC 4180 quoting: doubled quotes, delimiters and newlines inside quotes)
 * into rows, stopping after `maxRows` so a huge file previews quickly.
 */
export function parseDelimited(text: string, delimiter: string, maxRows = 500): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length && rows.length < maxRows; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === "") quoted = true;
    else if (c === delimiter) {
      row.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else field += c;
  }
  if ((field !== "" || row.length > 0) && rows.length < maxRows) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** Whether a directory listing looks like an MLflow model (it has an MLmodel file). */
export function isModelDir(files: readonly { path: string }[]): boolean {
  return files.some((f) => f.path.split("/").pop() === "MLmodel");
}
