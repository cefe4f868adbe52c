import { html, type TemplateResult } from "lit";
import type { FlowController } from "../flow-controller.ts";
import type { HandoffLink } from "../types.ts";
import { actions, button, cancelButton, title } from "./parts.ts";

/** The longest name or email of the one asking that the form takes (the server's limit too). */
export const REQUESTED_BY_MAX = 200;

/** Creates the link for the admin: `POST /connect/v1/flow/handoff`, same auth as every connect call. */
async function create(c: FlowController, event?: Event): Promise<void> {
  event?.preventDefault();
  const api = c.api!;
  const who = c.requestedBy.trim();
  c.say(c.t.loading);
  c.go("loading");
  const out = await c.requests.run((signal) =>
    api.call<HandoffLink>("POST", "/flow/handoff", signal, who ? { requested_by: who } : {}),
  );
  if (!out) return;
  if ("error" in out) return c.fail(out.error, () => void create(c));
  c.handoff = out.value;
  c.emit("relink-handed-off", { url: out.value.url, expires_at: out.value.expires_at });
  c.say(c.t.handoffDoneTitle);
  c.go("handoff");
}

/** Copies the link; where the clipboard is refused, selects it for the end user to copy. */
async function copy(c: FlowController): Promise<void> {
  const input = c.host.renderRoot.querySelector<HTMLInputElement>("#handoff-url");
  try {
    await navigator.clipboard.writeText(c.handoff!.url);
    c.say(c.t.handoffCopied);
  } catch {
    input?.focus();
    input?.select();
    c.say(c.t.handoffCopyManual);
  }
}

/**
 * "I'm not an admin — send this to my admin": a short form (who asks, optional), then the link to
 * forward, read-only with a Copy button, and until when it works.
 */
export function handoffView(c: FlowController): TemplateResult {
  const t = c.t;
  const tool = c.tool?.name ?? "";
  const org = c.flow?.end_user.organization_name ?? "";
  const link = c.handoff;
  if (link) {
    return html`${title(c, t.handoffDoneTitle)}
      <p>${t.handoffDoneLead(tool)}</p>
      <div part="field">
        <label part="label" for="handoff-url">${t.handoffLink}</label>
        <div class="control">
          <input part="input" id="handoff-url" readonly .value=${link.url} aria-describedby="handoff-expires" @focus=${(e: Event) => (e.target as HTMLInputElement).select()} />
          <button type="button" @click=${() => void copy(c)}>${t.handoffCopy}</button>
        </div>
        <div part="help" id="handoff-expires">${t.handoffExpires(c.date(link.expires_at))}</div>
      </div>
      ${actions(button(t.done, () => c.close("HANDED_OFF"), true))}`;
  }
  return html`${title(c, t.handoffTitle)}
    <p>${t.handoffLead(org, tool)}</p>
    <form novalidate @submit=${(e: Event) => void create(c, e)}>
      <div part="field">
        <label part="label" for="handoff-by">${t.handoffName} <span class="muted">(${t.optionalField})</span></label>
        <input
          part="input"
          id="handoff-by"
          name="requested_by"
          maxlength=${REQUESTED_BY_MAX}
          autocomplete="email"
          .value=${c.requestedBy}
          @input=${(e: Event) => {
            c.requestedBy = (e.target as HTMLInputElement).value;
          }}
        />
      </div>
      ${actions(
        cancelButton(c),
        button(t.back, () => c.go("credentials")),
        button(t.handoffCreate, () => {}, true, "submit"),
      )}
    </form>`;
}
