import { html, type TemplateResult } from "lit";
import { ConnectApiError } from "../connect-api.ts";
import type { FlowController } from "../flow-controller.ts";
import type { MissingPermissionDetail } from "../types.ts";
import { forgetSecrets } from "./credentials-actions.ts";
import { actions, button, cancelButton, title } from "./parts.ts";
import { permissionText } from "./permissions.ts";

const TOKEN_CODES = /^(TOKEN_|UNAUTHORIZED)/;

function missing(c: FlowController): MissingPermissionDetail[] {
  const list = (c.problem?.details as { missing?: MissingPermissionDetail[] } | undefined)?.missing;
  return Array.isArray(list) ? list : [];
}

/**
 * A request failed. `FLOW_SUPERSEDED` is no error: someone else reconnected the integration, so
 * the calm superseded view shows and `relink-superseded` fires instead of `relink-error`.
 * Refused credentials go back to the form; everything else to the error view.
 */
export function fail(c: FlowController, error: unknown, retry?: () => void): void {
  const e =
    error instanceof ConnectApiError ? error : new ConnectApiError(0, "INTERNAL_ERROR", "Unexpected error.");
  if (e.code === "FLOW_SUPERSEDED") {
    const at = (e.details as { superseded_at?: unknown } | undefined)?.superseded_at;
    c.supersededAt = typeof at === "string" ? at : new Date().toISOString();
    c.completed = true;
    c.values.clear();
    c.emit("relink-superseded", { superseded_at: c.supersededAt });
    c.say(c.t.supersededTitle);
    c.go("superseded");
    return;
  }
  c.emit("relink-error", { code: e.code, message: e.message });
  if (e.code === "CREDENTIALS_INVALID") {
    // What was typed stays, selected: a typo is fixed in place, a wrong key replaced by typing.
    c.problem = { code: e.code };
    c.say(c.t.invalidTitle);
    c.go("credentials");
    return;
  }
  c.problem = { code: e.code, details: e.details, retry };
  c.go("error");
}

/** The heading of the error view for the problem at hand. */
export function errorTitle(c: FlowController): string {
  const t = c.t;
  const code = c.problem?.code ?? "";
  switch (code) {
    case "PERMISSIONS_MISSING":
      return t.missingTitle(missing(c).length);
    case "ACCOUNT_MISMATCH":
      return t.mismatchTitle;
    case "TOKEN_EXPIRED":
      return t.expiredTitle;
    case "TOKEN_ALREADY_USED":
      return t.usedTitle;
    case "TOOL_UNREACHABLE":
      return t.unreachableTitle(c.tool?.name ?? "");
    case "RATE_LIMITED":
      return t.rateTitle;
    case "NETWORK_ERROR":
      return t.networkTitle;
    default:
      return TOKEN_CODES.test(code) ? t.tokenTitle : t.genericTitle;
  }
}

/** Every error the server can answer, with what to do next: other credentials, try again, a new link. */
export function errorView(c: FlowController): TemplateResult {
  const t = c.t;
  const problem = c.problem ?? { code: "INTERNAL_ERROR" };
  const code = problem.code;
  const tool = c.tool?.name ?? "";
  const org = c.flow?.end_user.organization_name ?? "";
  const other = button(t.otherCredentials, () => {
    forgetSecrets(c);
    c.problem = undefined;
    c.go("credentials");
  });
  const retry = problem.retry && button(t.tryAgain, problem.retry, true);
  let body: unknown;
  let buttons: TemplateResult;
  if (code === "PERMISSIONS_MISSING") {
    body = html`<p>${t.missingLead(tool)}</p>
      <ul>
        ${missing(c).map((m) => {
          // The flow's own description of the permission is in the flow's language.
          const p = c.flow?.required_permissions.find((r) => r.id === m.permission) ?? m;
          return html`<li part="permission"><strong>${p.label}</strong>${permissionText(c, p)}</li>`;
        })}
      </ul>`;
    buttons = actions(cancelButton(c), other, problem.retry && button(t.checkAgain, problem.retry, true));
  } else if (code === "ACCOUNT_MISMATCH") {
    body = html`<p>${t.mismatchLead(org, tool)}</p>`;
    buttons = actions(cancelButton(c), other);
  } else if (TOKEN_CODES.test(code)) {
    const lead =
      code === "TOKEN_EXPIRED" ? t.expiredLead : code === "TOKEN_ALREADY_USED" ? t.usedLead : t.tokenLead;
    body = html`<p>${lead}</p>
      <p><strong>${t.newLink}</strong></p>`;
    buttons = actions(c.modal && button(t.close, c.requestClose));
  } else {
    const lead =
      code === "TOOL_UNREACHABLE"
        ? t.unreachableLead
        : code === "RATE_LIMITED"
          ? t.rateLead
          : code === "NETWORK_ERROR"
            ? t.networkLead
            : t.genericLead;
    body = html`<p>${lead}</p>`;
    buttons = actions(cancelButton(c), retry);
  }
  return html`<div class="center">
    <div part="status-icon" class="bad" aria-hidden="true">!</div>
    ${title(c, errorTitle(c))} ${body} ${buttons}
  </div>`;
}
