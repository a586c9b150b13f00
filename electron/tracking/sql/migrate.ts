/**
 * Versioned schema migrations shared by every component that owns tables in the tracking database
 * (the run store, the model registry). Each component keeps its own version counter, so the two can
 * evolve independently while sharing one file and one connection.
 */
import type Database from "better-sqlite3";

/** One migration step: SQL to run, or a function for steps that must compute (e.g. backfill a summary). */
export type MigrationStep = string | ((db: Database.Database) => void);

/**
 * Applies the steps of `component` that this database has not seen yet, in order.
 * `steps` is append-only: step i (0-based) brings the component to version i + 1. Each step runs in
 * its own transaction together with its version bump, so a failure leaves the previous version intact.
 * Returns the component's version after migrating.
 */
export function migrate(db: Database.Database, component: string, steps: readonly MigrationStep[]): number {
  db.exec(
    "CREATE TABLE IF NOT EXISTS schema_migrations (component TEXT PRIMARY KEY, version INTEGER NOT NULL)",
  );
  const row = db.prepare("SELECT version FROM schema_migrations WHERE component = ?").get(component) as
    | { version: number }
    | undefined;
  const current = row?.version ?? 0;
  checkNotNewer(component, current, steps.length);
  const bump = db.prepare(
    "INSERT INTO schema_migrations (component, version) VALUES (?, ?) " +
      "ON CONFLICT (component) DO UPDATE SET version = excluded.version",
  );
  for (let version = current; version < steps.length; version++) {
    db.transaction(() => {
      const step = steps[version]!;
      if (typeof step === "string") db.exec(step);
      else step(db);
      bump.run(component, version + 1);
    })();
  }
  return steps.length;
}

/** Refuses a database a newer build migrated: running older code against it could corrupt data. */
export function checkNotNewer(component: string, current: number, known: number): void {
  if (current > known) {
    throw new Error(`Database schema for '${component}' is at version ${current}, newer than this build supports (${known}).`);
  }
}
