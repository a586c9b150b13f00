/** Display formatting shared by the tracking views (times, durations, sizes). */
import type { RunInfo } from "./types.ts";

/** Local date-time of an epoch-ms timestamp, or "" when absent. */
export function formatTime(ms: number | undefined): string {
  if (!ms) return "";
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** A duration in ms as "1h 2m", "3m 4s", "5.2s" or "120ms". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "";
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${Math.floor(s % 60)}s`;
  return `${Math.floor(m / 60)}h ${m % 60}m`;
}

/** A run's duration: end − start, or now − start while it is still running. */
export function runDuration(info: RunInfo, now: number): number {
  return (info.end_time ?? (info.status === "RUNNING" ? now : info.start_time)) - info.start_time;
}

/** A byte count as "12 B", "3.4 KB", "5.6 MB". */
export function formatBytes(n: number | undefined): string {
  if (n === undefined) return "";
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}
