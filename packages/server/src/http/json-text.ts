import type { Context, TypedResponse } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { JSONParsed } from "hono/utils/types";

/**
 * The JSON text of a `T`, exactly what `JSON.stringify` of that `T` gives: made by code that
 * builds a document's text without its objects (the records page splices each record's stored
 * JSON text in), and sent by `jsonText` as `c.json` would send the `T`.
 */
export type JsonText<T> = string & { readonly __jsonOf: T };

/** Marks `text` as the JSON text of a `T`: the caller vouches that it is `JSON.stringify` of one. */
export const asJsonText = <T>(text: string) => text as JsonText<T>;

/** The response `c.json(value, status)` gives, from the value's JSON text. */
export function jsonText<T, S extends ContentfulStatusCode>(
  c: Context,
  text: JsonText<T>,
  status: S,
): Response & TypedResponse<JSONParsed<T>, S, "json"> {
  return c.body(text, status, { "Content-Type": "application/json" }) as unknown as Response &
    TypedResponse<JSONParsed<T>, S, "json">;
}
