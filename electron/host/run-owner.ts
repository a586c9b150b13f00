/**
 * No run a kernel started is left RUNNING once that kernel is gone. The host answers every tracking
 * call a kernel makes, so it stamps the runs a kernel creates with their owner (this host's id and
 * pid), keeps the ids of the runs each kernel has open, and ends them when the kernel goes away:
 * KILLED on a restart, another notebook or the host closing; FAILED, with the reason in
 * `flowbook.error`, when the kernel process died. A host killed outright cannot do that, so the next
 * host on the same store ends the RUNNING runs whose owner is no longer alive ({@link reapOrphanRuns}).
 * Runs other clients log over REST carry no owner tag and are never touched. A server database
 * (PostgreSQL) is shared by hosts on several machines: a pid says whether a host is alive only on
 * the machine it ran on, so only hosts there reap its runs.
 */
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { MAX_EXPERIMENT_IDS_PER_REQUEST, MAX_TAG_VAL_LENGTH, SEARCH_MAX_RESULTS_DEFAULT } from "../tracking/limits.ts";
import { allPages } from "../tracking/pages.ts";
import { invokeTracking } from "../tracking/calls.ts";
import { TERMINAL_STATUSES, type Run, type RunStatus, type TrackingInvocation, type TrackingStore } from "../tracking/types.ts";

/** The tag naming the host that forwarded a kernel's `createRun` (a per-store-open id). */
export const HOST_TAG = "flowbook.host";
/** The tag holding that host's process id. */
export const HOST_PID_TAG = "flowbook.host.pid";
/** The tag naming the machine that host ran on (its pid means something only there). */
export const HOST_MACHINE_TAG = "flowbook.host.machine";
/** Why a run ended without its cell ending it. */
export const ERROR_TAG = "flowbook.error";
/** The reason a run of a host that died (SIGKILL, power loss) is ended with. */
export const ORPHAN_REASON = "the Flowbook host that ran it stopped without ending it";

/** Who owns the runs a host's kernels start. */
export interface HostIdentity {
  readonly id: string;
  readonly pid: number;
  readonly machine: string;
}

/** Host ids open in this process: two hosts in one process (tests) must not reap each other's runs. */
const liveHere = new Set<string>();

/** A new identity for a host opening a store; {@link releaseHostIdentity} it on close. */
export function newHostIdentity(): HostIdentity {
  const me = { id: randomUUID(), pid: process.pid, machine: hostname() };
  liveHere.add(me.id);
  return me;
}

/** Marks a host of this process closed. */
export function releaseHostIdentity(me: HostIdentity): void {
  liveHere.delete(me.id);
}


/** The runs one kernel started and has not ended, and the store calls that track them. */
export interface KernelRuns {
  /** Answers one of the kernel's tracking calls, stamping a `createRun` with the owner tags. */
  call(call: TrackingInvocation): Promise<unknown>;
  /**
   * Ends the runs still open as `status` (the kernel is gone); `reason` is tagged `flowbook.error`.
   * Resolves to the ids it ended; problems are logged, never thrown.
   */
  endAll(status: "KILLED" | "FAILED", reason?: string): Promise<string[]>;
}

/** Tracks the runs of one kernel on `store` for the host `me`. */
export function createKernelRuns(store: TrackingStore, me: HostIdentity, log: (message: string) => void): KernelRuns {
  /** The open runs; `endAll` swaps in a fresh set, and a createRun adds to the set current when it began. */
  let open = new Set<string>();
  const pending = new Set<Promise<unknown>>();
  const owner = [
    { key: HOST_TAG, value: me.id },
    { key: HOST_PID_TAG, value: String(me.pid) },
    { key: HOST_MACHINE_TAG, value: me.machine },
  ];
  const track = async (call: TrackingInvocation): Promise<unknown> => {
    const mine = open;
    if (call.method === "createRun") {
      const [req] = call.args;
      const tags = (req.tags ?? []).filter((t) => !owner.some((o) => o.key === t.key));
      const run = (await invokeTracking(store, { method: "createRun", args: [{ ...req, tags: [...tags, ...owner] }] })) as Run;
      mine.add(run.info.run_id);
      return run;
    }
    const result = await invokeTracking(store, call);
    if (call.method === "updateRun" && call.args[0].status && TERMINAL_STATUSES.includes(call.args[0].status)) {
      mine.delete(call.args[0].run_id);
      open.delete(call.args[0].run_id);
    }
    return result;
  };
  return {
    call(call) {
      const p = track(call);
      pending.add(p);
      const done = () => pending.delete(p);
      p.then(done, done);
      return p;
    },
    async endAll(status, reason) {
      const closing = open;
      open = new Set();
      // A createRun already on its way belongs to the kernel that is gone: it lands in `closing`.
      await Promise.allSettled([...pending]);
      const ended: string[] = [];
      for (const id of closing) if (await endRun(store, id, status, reason, log)) ended.push(id);
      return ended;
    },
  };
}

/** Ends `runId` as `status` when it is still open; false when it had ended already or could not be ended. */
async function endRun(store: TrackingStore, runId: string, status: RunStatus, reason: string | undefined, log: (m: string) => void): Promise<boolean> {
  try {
    const run = await store.getRun(runId);
    if (TERMINAL_STATUSES.includes(run.info.status)) return false;
    if (reason) await store.setTag(runId, { key: ERROR_TAG, value: reason.slice(0, MAX_TAG_VAL_LENGTH) });
    await store.updateRun({ run_id: runId, status, end_time: Date.now() });
    return true;
  } catch (err) {
    log(`could not end run ${runId} as ${status}: ${(err as Error).message}`);
    return false;
  }
}

/**
 * Whether the host named by a run's owner tags may still end it itself. A host on another machine
 * counts as alive (its pid cannot be checked from here); runs tagged before machines were named
 * are taken as this machine's.
 */
export function ownerAlive(id: string, pid: number, machine: string | undefined, me: HostIdentity): boolean {
  if (id === me.id || liveHere.has(id)) return true;
  if (machine !== undefined && machine !== me.machine) return true;
  if (!Number.isInteger(pid) || pid <= 0) return false;
  // This process is a host with another id now: the one that owned the run is gone.
  if (pid === me.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: a process of another user holds the pid, so it is alive (whoever it is).
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Ends as KILLED, tagged {@link ORPHAN_REASON}, every run still RUNNING whose owner tag names a host
 * that is no longer alive; resolves to their ids. Runs without an owner tag are left alone.
 */
export async function reapOrphanRuns(store: TrackingStore, me: HostIdentity, log: (message: string) => void): Promise<string[]> {
  const experiments = await allPages(undefined, (page_token) => store.searchExperiments({ view_type: "ALL", max_results: SEARCH_MAX_RESULTS_DEFAULT, page_token }));
  const experimentIds = experiments.map((e) => e.experiment_id);
  const orphans: string[] = [];
  for (let i = 0; i < experimentIds.length; i += MAX_EXPERIMENT_IDS_PER_REQUEST) {
    const ids = experimentIds.slice(i, i + MAX_EXPERIMENT_IDS_PER_REQUEST);
    const running = await allPages(undefined, (page_token) =>
      store.searchRuns({
        experiment_ids: ids,
        filter: `attributes.status = 'RUNNING' AND tags.\`${HOST_TAG}\` LIKE '%'`,
        run_view_type: "ALL",
        max_results: SEARCH_MAX_RESULTS_DEFAULT,
        page_token,
      }),
    );
    for (const run of running) {
      const tag = (key: string) => run.data.tags.find((t) => t.key === key)?.value;
      const id = tag(HOST_TAG);
      if (id !== undefined && !ownerAlive(id, Number(tag(HOST_PID_TAG)), tag(HOST_MACHINE_TAG), me)) orphans.push(run.info.run_id);
    }
  }
  const ended: string[] = [];
  for (const id of orphans) if (await endRun(store, id, "KILLED", ORPHAN_REASON, log)) ended.push(id);
  return ended;
}
