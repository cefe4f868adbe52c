import { html, nothing, type TemplateResult } from "lit";
import type { FlowController } from "../flow-controller.ts";
import { afterTool } from "./flow-steps.ts";
import { actions, button, cancelButton, title } from "./parts.ts";

/** The first step: who asks to (re)connect what, what changes, and until when. */
export function introView(c: FlowController): TemplateResult {
  const t = c.t;
  const flow = c.flow!;
  const tool = c.tool?.name ?? null;
  const org = flow.end_user.organization_name;
  const added = flow.newly_required_permissions.length;
  const from = flow.current_scope_config;
  const to = flow.target_scope_config;
  const relink = flow.flow === "relink";
  const next = c.tools && !c.picked ? "tool" : afterTool(c);
  const handoff = flow.handoff;
  return html`${title(c, relink ? t.introTitleRelink(tool ?? "") : t.introTitleConnect(tool))}
    ${handoff ? html`<p><strong>${t.handoffAsked(handoff.requested_by, tool)}</strong></p>` : nothing}
    <p>${relink ? t.introLeadRelink(org, tool ?? "") : t.introLeadConnect(org, tool)}</p>
    ${relink ? html`<p>${added ? t.introNewPermissions(added) : t.introCredentials}</p>` : nothing}
    ${from && to && from.id !== to.id ? html`<p>${t.introScope(from.name, to.name)}</p>` : nothing}
    <p class="muted">${t.introExpires(c.date(flow.expires_at))}</p>
    ${actions(
      cancelButton(c),
      button(t.start, () => c.go(next), true),
    )}`;
}
