/**
 * MLflow search grammar: filter strings, order_by entries and page tokens, parsed and checked
 * per entity kind into plain clauses the store compiles to SQL.
 */
export type { Clause, Comparator, EntityKind, KeyType, OrderBy } from "./ast.ts";
export { parseFilter } from "./filter.ts";
export { parseOrderBy } from "./order-by.ts";
export { decodePageToken, encodePageToken } from "./page-token.ts";
