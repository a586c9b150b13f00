/**
 * MLflow search grammar: filter strings, order_by entries, page tokens and page sizes, parsed and
 * checked per entity kind into plain clauses the store compiles to SQL.
 */
export type { Clause, Comparator, EntityKind, KeyType, OrderBy } from "./ast.ts";
export { parseFilter } from "./filter.ts";
export { parseOrderBy } from "./order-by.ts";
export { checkMaxResults, decodePageToken, encodePageToken } from "./page-token.ts";
