/** Counted nouns, so no screen says "1 runs": one rule for every side that words a count. */

/** `count` and the noun in the right number: `plural(1, "run")` is "1 run", `plural(3, "run")` "3 runs". */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count.toLocaleString("en-US")} ${count === 1 ? one : many}`;
}
