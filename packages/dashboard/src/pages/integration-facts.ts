import type { Integration, ScopeConfig, Tool } from "@relink/sdk/contract";
import { html, nothing } from "lit";
import { dateTime, relative } from "../format.ts";
import { href } from "../router.ts";

/**
 * The integration page's facts, two cards side by side: the end user and the tool (remote account,
 * credentials expiry, last pause, scope config), and the schedule and auth state.
 */
export function renderFacts(
  i: Integration,
  tool: Tool | null,
  scopeConfig: ScopeConfig | null,
  now: number,
  pausedAt: string | null,
) {
  return html`<div class="grid" style="margin-top: 1rem">
    <section class="card" aria-labelledby="end-user-title">
      <h2 id="end-user-title">End user and tool</h2>
      <dl class="facts">
        <dt>Organisation</dt>
        <dd>${i.end_user.organization_name}</dd>
        <dt>Origin id</dt>
        <dd class="mono">${i.end_user.origin_id}</dd>
        <dt>Email</dt>
        <dd>${i.end_user.email ?? html`<span class="muted">—</span>`}</dd>
        <dt>Tool</dt>
        <dd>${tool?.name ?? i.tool} <span class="muted small">(${i.category})</span></dd>
        <dt>Account in the tool</dt>
        <dd data-testid="remote-account">
          ${
            i.remote_account
              ? html`${i.remote_account.name ?? html`<span class="muted">unnamed</span>`}
                  <span class="mono muted small">(${i.remote_account.id})</span>`
              : html`<span class="muted">not known yet (recorded at the next relink)</span>`
          }
        </dd>
        <dt>Credentials expire</dt>
        <dd data-testid="credentials-expire-at">
          ${
            i.credentials_expire_at
              ? html`${new Date(i.credentials_expire_at).toLocaleString()}${
                  Date.parse(i.credentials_expire_at) - Date.now() < 7 * 86_400_000
                    ? html` <strong class="warn">soon: send a relink link now</strong>`
                    : nothing
                }`
              : html`<span class="muted">not reported by the tool</span>`
          }
        </dd>
        ${
          i.backfill_from
            ? html`<dt>Last pause from</dt><dd data-testid="backfill-from">${new Date(i.backfill_from).toLocaleString()} (backfill from here)</dd>`
            : nothing
        }
        <dt>Scope config</dt>
        <dd>
          ${
            i.scope_config_id
              ? html`<a href=${href("scope-configs", i.scope_config_id)}>${scopeConfig?.name ?? i.scope_config_id}</a>`
              : html`<span class="muted">none</span>`
          }
        </dd>
        <dt>Integration id</dt>
        <dd class="mono">${i.id}</dd>
        <dt>Created</dt>
        <dd>${dateTime(i.created_at)}</dd>
      </dl>
    </section>
    <section class="card" aria-labelledby="schedule-title">
      <h2 id="schedule-title">Schedule and auth</h2>
      <dl class="facts">
        <dt>Next sync</dt>
        <dd>${i.next_sync_at ? html`${dateTime(i.next_sync_at)} <span class="muted small">(${relative(i.next_sync_at, now)})</span>` : html`<span class="muted">not scheduled${i.state === "INVALID" ? " while paused" : i.state === "INACTIVE" ? " while disabled" : ""}</span>`}</dd>
        <dt>Last sync</dt>
        <dd>
          ${
            i.last_sync
              ? html`${i.last_sync.sync_state ?? i.last_sync.status} · ${dateTime(i.last_sync.ended_at ?? i.last_sync.queued_at)}`
              : html`<span class="muted">never</span>`
          }
        </dd>
        <dt>Last auth check</dt>
        <dd>${dateTime(i.auth.last_checked_at)}</dd>
        <dt>Last success</dt>
        <dd>${dateTime(i.auth.last_succeeded_at)}</dd>
        <dt>Failing since</dt>
        <dd>${i.auth.failing_since ? dateTime(i.auth.failing_since) : html`<span class="muted">not failing</span>`}</dd>
        <dt>Failed checks</dt>
        <dd>${i.auth.failed_checks} in the current streak</dd>
        ${
          i.auth.pauses_at
            ? html`<dt>Pauses at</dt>
                <dd class="text-warn">${dateTime(i.auth.pauses_at)} (${relative(i.auth.pauses_at, now)})</dd>`
            : nothing
        }
        ${pausedAt ? html`<dt>Paused at</dt><dd class="text-bad">${dateTime(pausedAt)}</dd>` : nothing}
      </dl>
    </section>
  </div>`;
}
