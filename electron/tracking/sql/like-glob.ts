/**
 * MLflow's LIKE is case-sensitive and SQLite's is not, so the run store's and the registry's search
 * SQL both compile LIKE patterns to GLOB, through this one function.
 */

/** A LIKE pattern (`%`, `_` wildcards) as a GLOB pattern; GLOB's own wildcards are escaped by bracketing them. */
export function likeToGlob(pattern: string): string {
  let out = "";
  for (const ch of pattern) {
    if (ch === "%") out += "*";
    else if (ch === "_") out += "?";
    else if (ch === "*" || ch === "?" || ch === "[") out += `[${ch}]`;
    else out += ch;
  }
  return out;
}
