import { RelinkConnect } from "./define.ts";
import type { FlowStep, RelinkSuccessDetail } from "./relink-connect/types.ts";

/** What `openRelink()` resolves with: the `relink-success` detail. */
export type RelinkResult = RelinkSuccessDetail;

export interface OpenRelinkOptions {
  /** The flow token from the product's backend. */
  token: string;
  /** Base URL of the relink server. */
  server: string;
  /** `en`, `de`, `fr`, `it`, `es`, `nl`, `pl`, `sv`, `da` or `ja`; default: the token's, then the browser's. */
  locale?: string;
  /** Renders the flow inline in this element instead of as a modal over the page. */
  container?: HTMLElement;
}

/** The end user closed the flow before completing it. */
export class RelinkCancelledError extends Error {
  override name = "RelinkCancelledError";
  constructor(
    /** The step they left from. */
    readonly step: FlowStep,
    /** `USER_CANCELLED`, `HANDED_OFF`, `FLOW_SUPERSEDED`, or the error code they were shown when they left. */
    readonly reason: string,
  ) {
    super(`The relink flow was closed at the ${step} step (${reason}).`);
  }
}

let current: RelinkConnect | undefined;

/**
 * Opens the relink flow and resolves when it completes; rejects with `RelinkCancelledError` when
 * the end user closes it first (reason `HANDED_OFF` after sending it to their admin), or when
 * someone else already reconnected the integration (reason `FLOW_SUPERSEDED`). The element is removed once it closes. Only one flow may be open
 * at a time: a second call while one is open rejects with a `TypeError`.
 *
 * @example
 * ```ts
 * import { openRelink, RelinkCancelledError } from "@relink/widget";
 * try {
 *   const { integration_id } = await openRelink({ token, server: "https://relink.example.com" });
 * } catch (error) {
 *   if (!(error instanceof RelinkCancelledError)) throw error;
 * }
 * ```
 */
export function openRelink(options: OpenRelinkOptions): Promise<RelinkResult> {
  if (current?.isConnected) {
    return Promise.reject(new TypeError("openRelink: a relink flow is already open"));
  }
  const element = new RelinkConnect();
  element.token = options.token;
  element.server = options.server;
  if (options.locale) element.locale = options.locale;
  element.mode = options.container ? "inline" : "modal";
  current = element;
  return new Promise<RelinkResult>((resolve, reject) => {
    let step: FlowStep = "intro";
    element.addEventListener("relink-step", (event) => {
      if (event.detail.step !== "superseded" && event.detail.step !== "handoff") step = event.detail.step;
    });
    element.addEventListener("relink-success", (event) => resolve(event.detail));
    element.addEventListener("relink-superseded", () =>
      reject(new RelinkCancelledError(step, "FLOW_SUPERSEDED")),
    );
    element.addEventListener("relink-exit", (event) =>
      reject(new RelinkCancelledError(event.detail.step, event.detail.reason)),
    );
    // Closed (exit, or "Done" after success): the element has done its job.
    new MutationObserver((_, observer) => {
      if (element.open) return;
      observer.disconnect();
      element.remove();
      if (current === element) current = undefined;
    }).observe(element, { attributes: true, attributeFilter: ["open"] });
    (options.container ?? document.body).append(element);
    element.show();
  });
}
