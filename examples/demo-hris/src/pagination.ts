import { invalidRequest } from "./errors.ts";

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 500;

export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

/** Cursors are opaque to clients; inside they are an offset into the stable, id-ordered list. */
function encodeCursor(offset: number): string {
  return Buffer.from(`o:${offset}`).toString("base64url");
}

function decodeCursor(cursor: string): number {
  const match = /^o:(\d+)$/.exec(Buffer.from(cursor, "base64url").toString());
  if (!match) throw invalidRequest("Invalid cursor; pass back a next_cursor exactly as received");
  return Number(match[1]);
}

function parseLimit(limit: string | undefined): number {
  if (limit === undefined || limit === "") return DEFAULT_PAGE_SIZE;
  if (!/^\d+$/.test(limit) || Number(limit) < 1) {
    throw invalidRequest(`limit must be an integer from 1 to ${MAX_PAGE_SIZE}`);
  }
  return Math.min(Number(limit), MAX_PAGE_SIZE);
}

/** One page of `items`; a `limit` above the maximum is lowered to it. */
export function paginate<T>(
  items: readonly T[],
  query: { cursor?: string | undefined; limit?: string | undefined },
): Page<T> {
  const offset = query.cursor ? decodeCursor(query.cursor) : 0;
  const limit = parseLimit(query.limit);
  const end = offset + limit;
  return {
    data: items.slice(offset, end),
    next_cursor: end < items.length ? encodeCursor(end) : null,
  };
}
