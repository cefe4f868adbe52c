import type { ErrorCode, Flow, FlowStep } from "@relink/sdk/contract";

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

/** Codes of `relink-error`: the server's error codes, plus what only the browser can see. */
export type RelinkErrorCode = ErrorCode | "NETWORK_ERROR" | "POPUP_BLOCKED";

/** `relink-error`: a request failed; the widget shows what to do next. Never carries credentials. */
export interface RelinkErrorDetail {
  code: RelinkErrorCode;
  message: string;
}

/** `relink-step`: a step was shown. */
export interface RelinkStepDetail {
  step: FlowStep;
}

export interface RelinkEventMap {
  "relink-success": CustomEvent<RelinkSuccessDetail>;
  "relink-exit": CustomEvent<RelinkExitDetail>;
  "relink-error": CustomEvent<RelinkErrorDetail>;
  "relink-step": CustomEvent<RelinkStepDetail>;
}
