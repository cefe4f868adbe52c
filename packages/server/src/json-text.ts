/**
 * The JSON text of a `T`, exactly what `JSON.stringify` of that `T` gives: made by code that
 * builds a document's text without its objects (the records page splices each record's stored
 * JSON text in), and sent by `jsonText` (`http/json-text.ts`) as `c.json` would send the `T`.
 */
export type JsonText<T> = string & { readonly __jsonOf: T };

/** Marks `text` as the JSON text of a `T`: the caller vouches that it is `JSON.stringify` of one. */
export const asJsonText = <T>(text: string) => text as JsonText<T>;
