/**
 * The store a host owns, opened the one way both hosts (`createHost` for the editor, `createAppHost`
 * for `flowbook app`) open it: a SQLite file (default: the one `defaultStoreUri` gives the notebook
 * folder) with its artifacts beside it, or a PostgreSQL database other hosts and servers share; and
 * this host's identity as the owner of the runs its kernels start, after the runs a dead host left
 * RUNNING are ended (run-owner.ts).
 */
import { dirname, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { sqlitePath } from "../tracking/client/index.ts";
import { defaultStoreUri, openStore } from "../tracking/store/index.ts";
import type { TrackingStore } from "../tracking/types.ts";
import { newHostIdentity, reapOrphanRuns, type HostIdentity } from "./run-owner.ts";

/** An opened host store. */
export interface HostStore {
  store: TrackingStore;
  trackingUri: string;
  /** Folder behind `mlflow-artifacts:/` and the artifact routes. */
  artifactsDestination: string;
  /** Who owns the runs this host's kernels start; release it when the host closes. */
  me: HostIdentity;
}

/** Where a store's artifacts go unless told: beside a SQLite file, else (a server database) in the notebook folder. */
function defaultArtifactsDestination(trackingUri: string, notebookDir: string): string {
  return trackingUri.startsWith("sqlite:") ? resolve(dirname(sqlitePath(trackingUri)), "mlartifacts") : resolve(notebookDir, "mlartifacts");
}

/**
 * Opens the store at `trackingUri` (`--tracking-uri`), else at `setting` (the app's "Tracking store"
 * setting, empty when unset), else at `defaultStoreUri(notebookDir)`; and ends runs dead hosts left.
 */
export async function openHostStore(opts: { notebookDir: string; trackingUri?: string; setting?: string; artifactsDestination?: string; log: (message: string) => void }): Promise<HostStore> {
  const trackingUri = opts.trackingUri ?? (opts.setting || defaultStoreUri(opts.notebookDir));
  const artifactsDestination = resolve(opts.artifactsDestination ?? defaultArtifactsDestination(trackingUri, opts.notebookDir));
  const store = await openStore(trackingUri, { defaultArtifactRoot: pathToFileURL(artifactsDestination).href });
  // Runs a kernel started carry this host's id; runs of a host that died without ending them end now.
  const me = newHostIdentity();
  try {
    const reaped = await reapOrphanRuns(store, me, opts.log);
    if (reaped.length > 0) opts.log(`ended ${reaped.length} run(s) left RUNNING by a Flowbook host that stopped: ${reaped.join(", ")}`);
  } catch (err) {
    opts.log(`could not look for runs left RUNNING: ${(err as Error).message}`);
  }
  return { store, trackingUri, artifactsDestination, me };
}
