import { html, nothing, type TemplateResult } from "lit";
import type { FlowController } from "../flow-controller.ts";
import { permissions } from "./flow-steps.ts";
import { actions, button, cancelButton, title } from "./parts.ts";

export const oauth2 = (c: FlowController): boolean => c.tool?.auth.method === "OAUTH2";

/** What a permission is for and, for API keys, where to grant it (OAuth asks in the tool's consent). */
export function permissionText(c: FlowController, p: { description: string; where_to_grant: string }) {
  return html`<p>${p.description}</p>
    ${oauth2(c) ? nothing : html`<p class="muted">${c.t.whereToGrant} ${p.where_to_grant}</p>`}`;
}

/** The permissions to grant, the new ones marked; optional data can be left out here. */
export function permissionsView(c: FlowController): TemplateResult {
  const t = c.t;
  const flow = c.flow!;
  const needed = permissions(c);
  const back = c.tools ? "tool" : "intro";
  return html`${title(c, t.permissionsTitle)}
    <p>${(oauth2(c) ? t.permissionsLeadOAuth : t.permissionsLead)(c.tool?.name ?? "", needed.length)}</p>
    <ul>
      ${needed.map(
        (p) => html`<li part="permission" class=${p.newly_required ? "new" : ""}>
          <strong>${p.label}</strong>${p.newly_required ? html`<span part="badge">${t.newBadge}</span>` : nothing}
          ${permissionText(c, p)}
        </li>`,
      )}
    </ul>
    ${
      flow.optional_parts.length
        ? html`<fieldset>
            <legend>${t.optionalTitle}</legend>
            <p class="muted">${t.optionalLead}</p>
            ${flow.optional_parts.map(
              (part) => html`<label class="check">
                <input
                  type="checkbox"
                  .checked=${!c.optedOut.has(part.id)}
                  @change=${(e: Event) => {
                    if ((e.target as HTMLInputElement).checked) c.optedOut.delete(part.id);
                    else c.optedOut.add(part.id);
                    c.host.requestUpdate();
                  }}
                />
                <span>${part.label}</span>
              </label>`,
            )}
          </fieldset>`
        : nothing
    }
    ${actions(
      cancelButton(c),
      button(t.back, () => c.go(back)),
      button(t.continue, () => c.go("credentials"), true),
    )}`;
}
