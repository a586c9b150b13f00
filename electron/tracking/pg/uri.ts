/**
 * MLflow's PostgreSQL store URIs: `postgresql://user:password@host:port/db`, also with a SQLAlchemy
 * driver suffix (`postgresql+psycopg2://…`), which MLflow accepts and this store ignores (it always
 * talks through node-postgres). Pure, so openers can test a URI without loading the driver.
 */

const PG_URI = /^postgresql(\+[a-z0-9_]+)?:\/\//i;

/** Whether `uri` names a PostgreSQL database. */
export function isPostgresUri(uri: string): boolean {
  return PG_URI.test(uri);
}

/** The libpq connection string for a PostgreSQL store URI (the driver suffix dropped). */
export function pgConnectionString(uri: string): string {
  if (!isPostgresUri(uri)) throw new Error(`Not a PostgreSQL URI: '${uri}' (expected postgresql://user:password@host:port/database)`);
  return uri.replace(PG_URI, "postgresql://");
}
