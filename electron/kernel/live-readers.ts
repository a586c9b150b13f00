/**
 * Cells that read the tracking store (`markLiveReader`), and the throttle that re-runs them when a
 * matching store change arrives: the first change of a burst fires at once, later ones at most once
 * per interval per cell (≤ 10 Hz at the default 100 ms), coalesced.
 */
import type { CellId } from "../protocol.ts";
import type { StoreChange } from "../tracking/contract.ts";

/** A cell's store reads: which changes concern it, as of which run. */
interface Reads {
  runNumber: number;
  matches: ((c: StoreChange) => boolean)[];
}

/** The live reader cells of one kernel. */
export class LiveReaders {
  private readonly reads = new Map<CellId, Reads>();
  private readonly timers = new Map<CellId, { last: number; timer?: NodeJS.Timeout }>();

  /** `fire(id)` asks the kernel to re-run cell `id`. */
  constructor(private readonly intervalMs: number, private readonly fire: (id: CellId) => void) {}

  /** Run `runNumber` of `id` read what `match` accepts (a newer run's reads replace an older run's). */
  mark(id: CellId, runNumber: number, match: (c: StoreChange) => boolean): void {
    const entry = this.reads.get(id);
    if (entry && entry.runNumber === runNumber) entry.matches.push(match);
    else this.reads.set(id, { runNumber, matches: [match] });
  }

  /** Forgets `id`'s reads, unless they are those of run `keep`. */
  forget(id: CellId, keep?: number): void {
    if (keep === undefined || this.reads.get(id)?.runNumber !== keep) this.reads.delete(id);
  }

  /** A store change: each matching reader fires, throttled per cell. */
  onChange(change: StoreChange): void {
    for (const [id, entry] of this.reads) {
      if (!entry.matches.some((m) => safeMatch(m, change))) continue;
      const t = this.timers.get(id) ?? { last: 0 };
      this.timers.set(id, t);
      if (t.timer) continue;
      t.timer = setTimeout(() => {
        t.timer = undefined;
        t.last = Date.now();
        this.fire(id);
      }, Math.max(0, t.last + this.intervalMs - Date.now()));
    }
  }

  /** Cancels pending re-runs (the kernel shuts down). */
  close(): void {
    for (const t of this.timers.values()) clearTimeout(t.timer);
  }
}

/** A cell's matcher that throws concerns nothing. */
function safeMatch(match: (c: StoreChange) => boolean, change: StoreChange): boolean {
  try {
    return match(change);
  } catch {
    return false;
  }
}
