/**
 * Where a cell's code sits in its notebook file, as `notebook/format.ts` writes it: the header,
 * then for each cell its marker line, its code and a blank line. The renderer names an error's
 * position `notebook.ts:LINE:COL` with it, as `flowbook run` does.
 */

/** How many lines a notebook header takes in the file (a non-empty one ends with a line break). */
export function headerLineCount(header: string): number {
  if (header === "") return 0;
  const lines = header.split("\n").length;
  return header.endsWith("\n") ? lines - 1 : lines;
}

/** The file line of line `line` (1-based) of cell `index`, given the header's line count and each cell's code in order. */
export function fileLineOf(headerLines: number, codes: readonly string[], index: number, line: number): number {
  let marker = headerLines + 1;
  for (let i = 0; i < index; i++) marker += codes[i]!.split("\n").length + 2;
  return marker + line;
}
