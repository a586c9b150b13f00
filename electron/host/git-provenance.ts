/**
 * Git provenance of runs a notebook's cells start: when the notebook lies in a git working tree,
 * each run carries MLflow's `mlflow.source.git.commit`, `.branch` and `.repoURL` tags, whether the
 * tree had uncommitted changes (`flowbook.git.dirty`), and, when the notebook file itself differs
 * from HEAD, that diff as the artifact `flowbook/notebook.diff`. No git, or no repository: nothing,
 * and no error.
 *
 * The `git` CLI is asked at most once per open or save of the notebook, by the first run after it
 * (every command with a timeout; an autosave alone asks nothing), never per run; the host and `flowbook run` wrap the store their kernel writes with {@link withGitProvenance}.
 */
import { execFile } from "node:child_process";
import { basename, dirname } from "node:path";
import { storeTransport, writeArtifact } from "../tracking/client/index.ts";
import { MAX_TAG_VAL_LENGTH } from "../tracking/limits.ts";
import type { CreateRunRequest, Run, TrackingStore } from "../tracking/types.ts";

/** The run tags, MLflow's names where MLflow has one. */
export const GIT_TAGS = {
  commit: "mlflow.source.git.commit",
  branch: "mlflow.source.git.branch",
  repoURL: "mlflow.source.git.repoURL",
  dirty: "flowbook.git.dirty",
} as const;
/** The run artifact holding the notebook file's diff against HEAD, when there is one. */
export const GIT_DIFF_PATH = "flowbook/notebook.diff";
/** How long one git command may take before the notebook counts as not in a repository. */
export const GIT_TIMEOUT_MS = 5000;
/** The largest diff kept (a generated notebook could be huge); a longer one is left out. */
const MAX_DIFF_BYTES = 10 * 1024 * 1024;

/** Where a notebook stands in git when it was opened or saved. */
export interface GitProvenance {
  commit: string;
  /** Absent on a detached HEAD. */
  branch?: string;
  /** The `origin` remote's URL (else the first remote's), without credentials; absent without remotes. */
  repoURL?: string;
  /** The working tree has changes not committed (the notebook's or any other file's). */
  dirty: boolean;
  /** The notebook file against HEAD (or as a new file when git does not track it); absent when it equals HEAD. */
  diff?: string;
}

/** Runs git in `cwd`; resolves to its stdout, or undefined when it fails, times out or is missing. */
function git(cwd: string, args: string[], okCodes: readonly number[] = [0]): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(
      "git",
      ["-c", "core.quotepath=off", "--no-pager", ...args],
      // No optional locks: reading status must never block the user's own git commands.
      { cwd, timeout: GIT_TIMEOUT_MS, maxBuffer: MAX_DIFF_BYTES + 1024, env: { ...process.env, GIT_OPTIONAL_LOCKS: "0", LC_ALL: "C" }, windowsHide: true },
      (err, stdout) => {
        const code = err ? (typeof err.code === "number" ? err.code : -1) : 0;
        resolve(okCodes.includes(code) ? stdout : undefined);
      },
    );
  });
}

/** `url` without a user name or password (`https://token@host/…` must not end up in a tag). */
export function withoutCredentials(url: string): string {
  const m = /^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@(.*)$/i.exec(url);
  return m ? `${m[1]}${m[2]}` : url;
}

/** Reads the git provenance of the notebook file at `path`; undefined outside a repository or without git. */
export async function readGitProvenance(path: string): Promise<GitProvenance | undefined> {
  const dir = dirname(path);
  const file = basename(path);
  const commit = (await git(dir, ["rev-parse", "--verify", "-q", "HEAD"]))?.trim();
  // Not a repository, no git, or no commit yet: nothing to point at.
  if (!commit) return undefined;
  const [branch, remotes, status, tracked] = await Promise.all([
    git(dir, ["symbolic-ref", "--short", "-q", "HEAD"]),
    git(dir, ["remote"]),
    git(dir, ["status", "--porcelain", "--untracked-files=normal"]),
    git(dir, ["ls-files", "--error-unmatch", "--", file]),
  ]);
  const names = (remotes ?? "").split("\n").filter(Boolean);
  const remote = names.includes("origin") ? "origin" : names[0];
  const url = remote ? (await git(dir, ["remote", "get-url", remote]))?.trim() : undefined;
  // `diff --no-index` exits 1 when the files differ, which is the point here.
  const diff =
    tracked !== undefined
      ? await git(dir, ["diff", "--no-ext-diff", "--no-color", "HEAD", "--", file])
      : await git(dir, ["diff", "--no-ext-diff", "--no-color", "--no-index", "--", "/dev/null", file], [0, 1]);
  return {
    commit,
    ...(branch?.trim() ? { branch: branch.trim() } : {}),
    ...(url ? { repoURL: withoutCredentials(url) } : {}),
    dirty: (status ?? "").trim() !== "",
    ...(diff ? { diff } : {}),
  };
}

/** The run tags of `git` (values cut to MLflow's tag limit). */
export function gitRunTags(git: GitProvenance): { key: string; value: string }[] {
  const tags: [string, string | undefined][] = [
    [GIT_TAGS.commit, git.commit],
    [GIT_TAGS.branch, git.branch],
    [GIT_TAGS.repoURL, git.repoURL],
    [GIT_TAGS.dirty, String(git.dirty)],
  ];
  return tags.flatMap(([key, value]) => (value === undefined ? [] : [{ key, value: value.slice(0, MAX_TAG_VAL_LENGTH) }]));
}

/**
 * `store` whose `createRun` adds the git tags of `current()` (the provenance at the last open or
 * save) and writes the notebook's diff beside the run's artifacts. A diff that cannot be written
 * is reported with `log`; the run is created all the same.
 */
export function withGitProvenance(
  store: TrackingStore,
  current: () => Promise<GitProvenance | undefined>,
  log: (message: string) => void,
  artifactsDestination?: string,
): TrackingStore {
  const createRun = async (req: CreateRunRequest): Promise<Run> => {
    const git = await current();
    if (!git) return store.createRun(req);
    const ours = gitRunTags(git);
    const tags = (req.tags ?? []).filter((t) => !ours.some((o) => o.key === t.key));
    const run = await store.createRun({ ...req, tags: [...tags, ...ours] });
    if (git.diff !== undefined) {
      try {
        await writeArtifact(run.info.artifact_uri, GIT_DIFF_PATH, git.diff, storeTransport(store, artifactsDestination));
      } catch (err) {
        log(`run ${run.info.run_id} has no ${GIT_DIFF_PATH}: ${(err as Error).message}`);
      }
    }
    return run;
  };
  return new Proxy(store, {
    get(target, key, receiver) {
      if (key === "createRun") return createRun;
      const value = Reflect.get(target, key, receiver) as unknown;
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
