/**
 * Which page of a list to read: the rows after the id `after` (newest first), and how many.
 * List functions fetch `limit + 1` rows, so that the HTTP layer can tell whether another page follows.
 */
export interface PageWindow {
  limit: number;
  after?: string | undefined;
}
