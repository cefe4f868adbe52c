import type { ConnectFlow, ErrorCode, Flow, FlowStep } from "@relink/sdk/contract";

export type {
  ConnectFlow,
  ConnectTool,
  Flow,
  FlowCompleted,
  FlowStep,
  FlowWarning,
  Locale,
  MissingPermissionDetail,
  OAuthCallbackMessage,
  RemoteAccount,
} from "@relink/sdk/contract";

/** `relink-success`: the flow completed; the integration now runs on the new credentials. */
export interface RelinkSuccessDetail {
  integration_id: string;
  flow: Flow;
  scope_config_id: string | null;
}

/**
 * `relink-exit`: the end user left before completing. `reason` is `USER_CANCELLED`, `HOST_CLOSED`
 * (the page called `hide()`), or the error code shown when they left from an error.
 */
export interface RelinkExitDetail {
  step: FlowStep;
  reason: string;
}

/**
 * Codes of `relink-error`: the server's error codes, plus what only the browser can see.
 * `FLOW_SUPERSEDED` (409, `details.superseded_at`) never reaches `relink-error`: the widget shows
 * that the integration was already reconnected and fires `relink-superseded`.
 */
export type RelinkErrorCode = ErrorCode | "NETWORK_ERROR" | "POPUP_BLOCKED" | "FLOW_SUPERSEDED";

/** Who sent this flow to an admin (`POST /connect/v1/flow/handoff`), when the flow came from such a link. */
export interface FlowHandoff {
  requested_by: string | null;
  requested_at: string;
}

/** The flow as the widget reads it: `handoff` is non-null when it was opened from a hand-off link. */
export type WidgetFlow = ConnectFlow & { handoff?: FlowHandoff | null };

/** `POST /connect/v1/flow/handoff` answers `201` with the link for the admin. */
export interface HandoffLink {
  url: string;
  expires_at: string;
}

/** What the widget shows: the contract's steps, plus the two views that end a flow without an error. */
export type View = FlowStep | "loading" | "superseded" | "handoff";

/** `relink-superseded`: someone else already reconnected this integration; nothing more to do. */
export interface RelinkSupersededDetail {
  superseded_at: string;
}

/** `relink-handed-off`: the end user created a link for their admin (to copy and forward). */
export type RelinkHandedOffDetail = HandoffLink;

/** `relink-error`: a request failed; the widget shows what to do next. Never carries credentials. */
export interface RelinkErrorDetail {
  code: RelinkErrorCode;
  message: string;
}

/** `relink-step`: a step was shown. */
export interface RelinkStepDetail {
  step: Exclude<View, "loading">;
}

export interface RelinkEventMap {
  "relink-success": CustomEvent<RelinkSuccessDetail>;
  "relink-exit": CustomEvent<RelinkExitDetail>;
  "relink-error": CustomEvent<RelinkErrorDetail>;
  "relink-step": CustomEvent<RelinkStepDetail>;
  "relink-superseded": CustomEvent<RelinkSupersededDetail>;
  "relink-handed-off": CustomEvent<RelinkHandedOffDetail>;
}
