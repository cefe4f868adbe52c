import type { GrantRevocation, Integration, Tool } from "@relink/sdk/contract";
import { html, nothing } from "lit";
import { dateTime } from "../format.ts";
import { href } from "../router.ts";

/**
 * The integration page's notices about its credentials: the other integrations connected to the
 * same remote account, the replaced OAuth grants the tool did not revoke, and the permissions the
 * credentials lack.
 */

/** The warning that the remote account is shared with other integrations of the workspace. */
export function renderSharing(i: Integration, sharing: readonly Integration[], tool: Tool | null) {
  if (!i.remote_account || sharing.length === 0) return nothing;
  const account = i.remote_account.name ?? i.remote_account.id;
  const count = sharing.length;
  return html`<div class="notice warn" role="note" data-testid="shared-account" style="margin-top: 1rem">
    <strong>${tool?.name ?? i.tool} account “${account}” is also connected to ${count} other integration${count === 1 ? "" : "s"}${count === 20 ? " or more" : ""}:</strong>
    ${sharing.map(
      (other, n) =>
        html`${n ? ", " : " "}<a href=${href("integrations", other.id)}>${other.end_user.organization_name}</a>`,
    )}.
    If ${i.end_user.organization_name} signed in to another company's account, delete this integration and
    have them connect again with their own.
  </div>`;
}

/** What the credentials lack for the scope config, or why that cannot be known. */
export function renderMissing(i: Integration, tool: Tool | null) {
  if (i.auth.status === "FAILING") {
    // The tool refuses the credentials, so what they grant cannot be read: "None" would be a guess.
    const known = i.missing_permissions.map((m) => m.permission);
    return html`<p class="muted" data-testid="missing-unknown">
      Unknown while authentication fails: the tool rejects the credentials, so their permissions cannot be
      read.${known.length ? html` At the last successful check they lacked <code>${known.join(", ")}</code>.` : nothing}
    </p>`;
  }
  if (i.missing_permissions.length === 0) {
    return html`<p class="muted">None: the credentials grant everything the scope config asks for.</p>`;
  }
  const label = new Map(tool?.permissions.map((p) => [p.id, p]) ?? []);
  return html`<p class="small">
      The scope config asks for data these credentials cannot read. Syncs finish as
      <code>PARTIALLY_FAILED</code> until a relink grants them.
    </p>
    <ul>
      ${i.missing_permissions.map((m) => {
        const p = label.get(m.permission);
        return html`<li>
          <strong>${p?.label ?? m.permission}</strong> <code>${m.permission}</code>
          — blocks ${[...m.models, ...m.fields].join(", ")}
          ${p ? html`<div class="muted small">Grant it in the tool: ${p.where_to_grant}</div>` : nothing}
        </li>`;
      })}
    </ul>`;
}

/**
 * The replaced OAuth grants the tool did not confirm revoking (they still work there until their
 * owner revokes them), newest first; nothing when every replaced grant was revoked.
 */
export function renderRevocations(revocations: readonly GrantRevocation[], toolName: string) {
  const failed = revocations.filter((r) => r.outcome === "FAILED");
  if (failed.length === 0) return nothing;
  return html`<div class="notice warn" role="note" data-testid="unrevoked-grants" style="margin-top: 1rem">
    <strong>${failed.length === 1 ? "A replaced grant was" : `${failed.length} replaced grants were`} not revoked at ${toolName}:</strong>
    a relink replaced the end user's earlier sign-in, and ${toolName} did not confirm revoking it. It still works
    there until an admin of their ${toolName} account revokes it.
    <ul class="small">
      ${failed.map(
        (r) =>
          html`<li><time datetime=${r.created_at}>${dateTime(r.created_at)}</time>${r.detail ? html` — ${r.detail}` : nothing}</li>`,
      )}
    </ul>
  </div>`;
}
