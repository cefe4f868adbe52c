import { z } from "zod";

/**
 * Text relink cannot keep as it was sent: a NUL character (PostgreSQL refuses it in `text` and
 * `jsonb`, SQLite keeps it) or an unpaired UTF-16 surrogate (not Unicode: PostgreSQL replaces it
 * in `text` and refuses it in `jsonb`). Every text field of every request and every flow-token
 * claim refuses both, with the same answer on either database.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is what this finds
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why a value was refused; it never quotes the value. */
export const UNSTORABLE_TEXT_MESSAGE = "must not contain NUL characters or unpaired surrogates";

/**
 * True when `text` can be stored as sent: no NUL character, no unpaired surrogate.
 *
 * @example
 * ```ts
 * isStorableText("Acme GmbH"); // true
 * isStorableText("Acme\u0000"); // false
 * ```
 */
export function isStorableText(text: string): boolean {
  return !UNSTORABLE.test(text);
}

/**
 * The path of every string, and of every object key, in `value` that is not storable text (see
 * `isStorableText`). Walks without recursion, so any depth of nesting is safe.
 *
 * @example
 * ```ts
 * unstorableTextPaths({ end_user: { origin_id: "o\u0000" }, tags: ["ok"] }); // [["end_user", "origin_id"]]
 * ```
 */
export function unstorableTextPaths(value: unknown): Array<Array<string | number>> {
  // Every request and flow token passes here: the paths are built only when something is refused.
  if (!hasUnstorableText(value)) return [];
  const found: Array<Array<string | number>> = [];
  const pending: Array<[unknown, Array<string | number>]> = [[value, []]];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [current, path] = next;
    if (typeof current === "string") {
      if (!isStorableText(current)) found.push(path);
    } else if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i--) pending.push([current[i], [...path, i]]);
    } else if (current !== null && typeof current === "object") {
      const entries = Object.entries(current);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, item] = entries[i] as [string, unknown];
        // A bad key is reported at its object: the key itself is no name to show.
        if (!isStorableText(key)) found.push(path);
        else pending.push([item, [...path, key]]);
      }
    }
  }
  return found;
}

/**
 * True when some string or object key in `value` is not storable text: `unstorableTextPaths`
 * without building a path for every value (one stack of values, no recursion).
 */
function hasUnstorableText(value: unknown): boolean {
  if (typeof value === "string") return !isStorableText(value);
  if (value === null || typeof value !== "object") return false;
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const current = pending.pop();
    if (typeof current === "string") {
      if (!isStorableText(current)) return true;
    } else if (Array.isArray(current)) {
      for (const item of current) pending.push(item);
    } else if (current !== null && typeof current === "object") {
      for (const key of Object.keys(current)) {
        if (!isStorableText(key)) return true;
        pending.push((current as Record<string, unknown>)[key]);
      }
    }
  }
  return false;
}

/**
 * A zod `superRefine` that adds an issue for every unstorable string or key of the value.
 *
 * @example
 * ```ts
 * const Body = z.object({ name: z.string() }).superRefine(refuseUnstorableText);
 * Body.safeParse({ name: "a\u0000" }).success; // false, issue at ["name"]
 * ```
 */
export function refuseUnstorableText(value: unknown, ctx: z.RefinementCtx): void {
  for (const path of unstorableTextPaths(value)) {
    ctx.addIssue({ code: "custom", path, message: UNSTORABLE_TEXT_MESSAGE, input: undefined });
  }
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/**
 * One submitted credential value (an API key, a secret, a URL): at most 4096 characters of one line,
 * without control characters (C0, DEL, C1) or line separators, which no tool could receive in a
 * header and which only ever come from a bad paste. The refusal names the field, never the value.
 *
 * @example
 * ```ts
 * CredentialValueSchema.safeParse("sk_live_abc").success; // true
 * CredentialValueSchema.safeParse("sk_live_abc\r\n").success; // false
 * ```
 */
export const CredentialValueSchema = z
  .string()
  .max(4096)
  .refine((value) => !CONTROL.test(value), "must be one line of text without control characters");

/**
 * Submitted credentials: field id → value (see `CredentialValueSchema`).
 *
 * @example
 * ```ts
 * CredentialValuesSchema.parse({ api_key: "sk_live_abc" });
 * ```
 */
export const CredentialValuesSchema = z.record(z.string().max(100), CredentialValueSchema);
