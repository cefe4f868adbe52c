import { ApiError } from "./errors.ts";

/** Cursors are opaque to clients: the last id of the page, base64url-encoded. */
export const encodeCursor = (id: string) => Buffer.from(id, "utf8").toString("base64url");

export function decodeCursor(cursor: string | undefined, prefix: string): string | undefined {
  if (cursor === undefined) return undefined;
  const id = Buffer.from(cursor, "base64url").toString("utf8");
  if (!new RegExp(`^${prefix}_[0-9a-z]{10,40}$`).test(id)) {
    throw new ApiError(400, "INVALID_REQUEST", "Invalid request: cursor: not a cursor from a previous page", {
      issues: [
        { path: "query.cursor", code: "invalid_cursor", message: "not a cursor from a previous page" },
      ],
    });
  }
  return id;
}

/** Splits `limit + 1` fetched rows into a page and its next cursor. */
export function page<T extends { id: string }>(
  rows: T[],
  limit: number,
): { rows: T[]; next_cursor: string | null } {
  const more = rows.length > limit;
  const kept = more ? rows.slice(0, limit) : rows;
  const last = kept.at(-1);
  return { rows: kept, next_cursor: more && last ? encodeCursor(last.id) : null };
}
