import { html, nothing, type TemplateResult } from "lit";
import type { FlowController } from "../flow-controller.ts";
import { submit } from "./credentials-actions.ts";
import { permissions } from "./flow-steps.ts";
import { cancelOAuth, startOAuth } from "./oauth.ts";
import { actions, button, cancelButton, title } from "./parts.ts";

const eye = html`<svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="2"><path d="M1 12s4-7 11-7 11 7 11 7-4 7-11 7S1 12 1 12z"/><circle cx="12" cy="12" r="3"/></svg>`;

/** "I'm not an admin — send this to my admin": opens the hand-off form. */
function handoffButton(c: FlowController): TemplateResult {
  return html`<p class="handoff">
    <button type="button" class="link" @click=${() => c.go("handoff")}>${c.t.handoffButton}</button>
  </p>`;
}

/** The credentials form (API keys and the like), or the OAuth sign-in for OAuth tools. */
export function credentialsView(c: FlowController): TemplateResult {
  const t = c.t;
  const tool = c.tool!;
  const org = c.flow!.end_user.organization_name;
  const back = permissions(c).length ? "permissions" : c.tools ? "tool" : "intro";
  const invalid = c.problem?.code === "CREDENTIALS_INVALID";
  const alert = invalid
    ? html`<div part="alert" role="alert"><strong>${t.invalidTitle}</strong><p>${t.invalidLead(tool.name)}</p></div>`
    : c.note
      ? html`<div part="alert" role="alert"><p>${c.note}</p></div>`
      : nothing;
  if (tool.auth.method === "OAUTH2") {
    return html`${title(c, t.oauthTitle(tool.name))} ${alert}
      <p>${t.oauthLead(tool.name)}</p>
      ${c.waiting ? html`<div part="spinner" aria-hidden="true"></div><p class="center">${t.oauthWaiting(tool.name)}</p>` : nothing}
      ${
        c.waiting
          ? actions(button(t.cancel, () => cancelOAuth(c)))
          : html`${actions(
              cancelButton(c),
              button(t.back, () => c.go(back)),
              button(t.oauthButton(tool.name), () => void startOAuth(c), true),
            )}${handoffButton(c)}`
      }`;
  }
  return html`${title(c, t.credentialsTitle(tool.name))}
    <p>${t.credentialsLead(org, tool.name)}</p>
    ${alert}
    <form novalidate @submit=${(e: Event) => submit(c, e)}>
      ${tool.auth.fields.map((field, i) => {
        const id = `field-${i}`;
        const error = c.fieldErrors.get(field.id);
        const secret = field.type === "secret";
        const shown = c.revealed.has(field.id);
        const bad = !!error || (invalid && i === 0);
        const describedBy = [
          field.help && `${id}-help`,
          error && `${id}-error`,
          !error && bad && "credentials-error",
        ]
          .filter(Boolean)
          .join(" ");
        return html`<div part="field">
          <label part="label" for=${id}
            >${field.label}${field.required ? nothing : html` <span class="muted">(${t.optionalField})</span>`}</label
          >
          <div class="control">
            <input
              part="input"
              id=${id}
              name=${field.id}
              type=${secret && !shown ? "password" : field.type === "url" ? "url" : "text"}
              .value=${c.values.get(field.id) ?? ""}
              placeholder=${field.placeholder ?? nothing}
              aria-required=${field.required ? "true" : "false"}
              aria-invalid=${bad ? "true" : "false"}
              aria-describedby=${describedBy || nothing}
              autocomplete="off"
              autocapitalize="off"
              spellcheck="false"
              @input=${(e: Event) => {
                c.values.set(field.id, (e.target as HTMLInputElement).value);
                if (c.fieldErrors.delete(field.id)) c.host.requestUpdate();
              }}
            />
            ${
              secret
                ? html`<button
                    type="button"
                    part="reveal-button"
                    aria-label=${t.showSecret(field.label)}
                    aria-pressed=${shown ? "true" : "false"}
                    aria-controls=${id}
                    @click=${() => {
                      if (!c.revealed.delete(field.id)) c.revealed.add(field.id);
                      c.host.requestUpdate();
                    }}
                  >
                    ${eye}
                  </button>`
                : nothing
            }
          </div>
          ${field.help ? html`<div part="help" id="${id}-help">${field.help}</div>` : nothing}
          ${error ? html`<div part="field-error" id="${id}-error">${error}</div>` : nothing}
        </div>`;
      })}
      ${invalid ? html`<span id="credentials-error" hidden>${t.invalidTitle}</span>` : nothing}
      ${actions(
        cancelButton(c),
        button(t.back, () => c.go(back)),
        button(t.submit, () => {}, true, "submit"),
      )}
    </form>
    ${handoffButton(c)}`;
}
