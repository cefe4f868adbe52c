import { html, nothing, type TemplateResult } from "lit";
import type { FlowController } from "../flow-controller.ts";
import { cancelCheck } from "./credentials-actions.ts";
import { actions, button, title } from "./parts.ts";

/** While the server checks the credentials with the tool. */
export function checkingView(c: FlowController): TemplateResult {
  const t = c.t;
  return html`<div class="center">
    <div part="spinner" aria-hidden="true"></div>
    ${title(c, t.checkingTitle)}
    <p>${t.checkingLead(c.tool?.name ?? "")}</p>
    ${actions(button(t.cancel, () => cancelCheck(c)))}
  </div>`;
}

/** Connected: names the remote account the tool reported, and warns when it is shared. */
export function successView(c: FlowController): TemplateResult {
  const t = c.t;
  const organization = c.flow?.end_user.organization_name ?? "";
  const tool = c.tool?.name ?? "";
  // The account the tool says the credentials belong to, not the organisation the token names:
  // signing in to the wrong company must be visible here.
  const account = c.outcome?.remote_account;
  const accountName = account ? (account.name ?? account.id) : null;
  const shared = c.outcome?.warnings?.some((w) => w.code === "ACCOUNT_ALREADY_CONNECTED");
  return html`<div class="center">
    <div part="status-icon" class="ok" aria-hidden="true">✓</div>
    ${title(c, t.successTitle)}
    <p>
      ${accountName === null ? t.successLead(organization, tool) : t.successAccountLead(accountName, tool)}
    </p>
    ${shared ? html`<div part="alert" role="alert"><p>${t.accountAlreadyConnected(tool, organization)}</p></div>` : nothing}
    ${actions(button(t.done, () => c.close("DONE"), true))}
  </div>`;
}

/**
 * `FLOW_SUPERSEDED`: someone else reconnected this integration after this flow was opened. Not an
 * error: a calm ending, with nothing more to do.
 */
export function supersededView(c: FlowController): TemplateResult {
  const t = c.t;
  return html`<div class="center">
    <div part="status-icon" class="ok" aria-hidden="true">✓</div>
    ${title(c, t.supersededTitle)}
    <p>${t.supersededLead(c.date(c.supersededAt ?? new Date().toISOString()))}</p>
    ${actions(button(t.done, () => c.close("DONE"), true))}
  </div>`;
}

/** Re-renders, then focuses what `selector` matches. */
export function focusAfterUpdate(c: FlowController, selector: string): void {
  c.host.requestUpdate();
  void c.host.updateComplete.then(() => c.focus(selector));
}

/** Closing with credentials typed asks first: shows the confirmation and says so (true). */
export function askBeforeClose(c: FlowController): boolean {
  if (c.completed || c.confirming || ![...c.values.values()].some((v) => v !== "")) return false;
  c.confirming = true;
  focusAfterUpdate(c, "[data-keep]");
  return true;
}

export function keepEditing(c: FlowController): void {
  c.confirming = false;
  focusAfterUpdate(c, "[part~=title]");
}

/** Asks before discarding typed credentials (modal: ×, Escape or the backdrop). */
export function confirmView(c: FlowController): TemplateResult {
  const t = c.t;
  return html`<h2 id="title" part="title" tabindex="-1">${t.confirmTitle}</h2>
    <p>${t.confirmLead}</p>
    ${actions(
      html`<button type="button" data-keep @click=${() => keepEditing(c)}>${t.keepEditing}</button>`,
      button(t.discard, () => c.close("USER_CANCELLED"), true),
    )}`;
}
