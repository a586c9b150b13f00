/**
 * Versioned migrations on PostgreSQL, safe when several processes start at once: each takes the
 * same transaction-scoped advisory lock first, so one migrates while the others wait, then find
 * the schema current and apply nothing. Versions live in `schema_migrations` per component, as on
 * SQLite (`sql/migrate.ts`), and a database newer than the build is refused the same way.
 */
import type pg from "pg";
import { checkNotNewer } from "../sql/index.ts";

/** An arbitrary constant naming Flowbook's migration lock among the database's advisory locks. */
const MIGRATION_LOCK = 0x466c6f77626f6f6bn; // "Flowbook"

/** Applies the steps each component has not seen yet, all in one transaction under the lock. */
export async function migratePg(client: pg.ClientBase, components: Record<string, readonly string[]>): Promise<void> {
  await client.query("BEGIN");
  try {
    await client.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK.toString()]);
    await client.query("CREATE TABLE IF NOT EXISTS schema_migrations (component TEXT PRIMARY KEY, version INTEGER NOT NULL)");
    for (const [component, steps] of Object.entries(components)) {
      const { rows } = await client.query<{ version: number }>("SELECT version FROM schema_migrations WHERE component = $1", [component]);
      const current = rows[0]?.version ?? 0;
      checkNotNewer(component, current, steps.length);
      for (let version = current; version < steps.length; version++) await client.query(steps[version]!);
      if (current < steps.length) {
        await client.query(
          "INSERT INTO schema_migrations (component, version) VALUES ($1, $2) ON CONFLICT (component) DO UPDATE SET version = excluded.version",
          [component, steps.length],
        );
      }
    }
    await client.query("COMMIT");
  } catch (e) {
    await client.query("ROLLBACK").catch(() => {});
    throw e;
  }
}
