import type { z } from "zod";
import type { Page } from "../contract/index.ts";

// What every resource of the client shares: per-call options, list queries and pages, and the
// transport (`RelinkClient`'s own request and list) each resource module calls.

/**
 * Per-call options, last argument of every method.
 *
 * @example
 * ```ts
 * await relink.integrations.get(id, { signal: AbortSignal.timeout(2_000), maxRetries: 0 });
 * ```
 */
export interface RequestOptions {
  /** Cancels the request (and its retries); it then rejects with the signal's reason. */
  signal?: AbortSignal;
  timeoutMs?: number;
  maxRetries?: number;
}

/**
 * The query of a paginated list: its filters, `limit` (1–200, default 50) and `cursor`.
 *
 * @example
 * ```ts
 * const query: ListQuery<typeof IntegrationListQuerySchema> = { state: "INVALID", limit: 100 };
 * ```
 */
export type ListQuery<S extends z.ZodType> = Partial<Omit<z.output<S>, "limit" | "cursor">> & {
  limit?: number;
  cursor?: string;
};

/** A request body as the API accepts it (defaults may be left out). */
export type Body<S extends z.ZodType> = z.input<S>;

export type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
export type Query = Record<string, string | number | boolean | null | undefined>;

/**
 * A page of a list, awaitable and async-iterable: `await` it for the first page
 * (`{ data, next_cursor }`), or `for await` over it for every item of every page, fetched as
 * the loop goes.
 *
 * @example
 * ```ts
 * const first = await relink.integrations.list({ limit: 10 });
 * for await (const integration of relink.integrations.list({ state: "INVALID" })) {
 *   console.log(integration.id);
 * }
 * ```
 */
export class PageRequest<T> implements PromiseLike<Page<T>>, AsyncIterable<T> {
  #first: Promise<Page<T>> | undefined;
  readonly #fetchPage: (cursor: string | undefined) => Promise<Page<T>>;
  readonly #cursor: string | undefined;

  /** @internal */
  constructor(fetchPage: (cursor: string | undefined) => Promise<Page<T>>, cursor: string | undefined) {
    this.#fetchPage = fetchPage;
    this.#cursor = cursor;
  }

  // biome-ignore lint/suspicious/noThenProperty: a page request is awaitable on purpose
  then<R1 = Page<T>, R2 = never>(
    onfulfilled?: ((value: Page<T>) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.#firstPage().then(onfulfilled, onrejected);
  }

  #firstPage(): Promise<Page<T>> {
    this.#first ??= this.#fetchPage(this.#cursor);
    return this.#first;
  }

  /** Every page, from this one on. */
  async *pages(): AsyncGenerator<Page<T>, void, undefined> {
    let page = await this.#firstPage();
    yield page;
    while (page.next_cursor) {
      page = await this.#fetchPage(page.next_cursor);
      yield page;
    }
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    for await (const page of this.pages()) yield* page.data;
  }
}

/** How a resource calls the API: the client's request (retries, timeouts, errors) and list. */
export interface Transport {
  request<T>(
    method: Method,
    path: string,
    init: { query?: Query; body?: unknown; options?: RequestOptions | undefined },
  ): Promise<T>;
  list<T>(path: string, query: Query, options: RequestOptions | undefined): PageRequest<T>;
}

/** A path segment, encoded. */
export function segment(value: string): string {
  if (typeof value !== "string" || value === "") throw new TypeError("an id is required");
  return encodeURIComponent(value);
}
