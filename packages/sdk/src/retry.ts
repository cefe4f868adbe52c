/**
 * When to try a request again: one `Retry-After` parser and one exponential backoff, shared by the
 * SDK's client and the server's outgoing calls (webhooks, connectors, syncs). Runs anywhere
 * (browsers, Node, edge runtimes): no dependency.
 */
export { type BackoffOptions, backoffDelay, parseRetryAfter } from "./errors.ts";
