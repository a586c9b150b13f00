/** Reading every page of a paged store call, the one loop the client, the REST routes and the samplers share. */
import type { Page } from "./contract.ts";

/**
 * Follows `next_page_token` from the first page on, collecting items until there are no more pages
 * or `maxResults` items are in (then exactly that many).
 */
export async function allPages<T>(maxResults: number | undefined, fetchPage: (pageToken?: string) => Promise<Page<T>>): Promise<T[]> {
  const out: T[] = [];
  let token: string | undefined;
  do {
    const page = await fetchPage(token);
    out.push(...page.items);
    token = maxResults !== undefined && out.length >= maxResults ? undefined : page.next_page_token;
  } while (token);
  return maxResults === undefined ? out : out.slice(0, maxResults);
}
