import type { SyncRun, SyncSession } from "@relink/sdk/contract";
import { html, nothing } from "lit";
import { dateTime, duration } from "../format.ts";
import { errorBox, loading } from "../page.ts";

/** The integration page's sync history: one row per run, its result, records, warnings and errors. */
export function renderSyncs(
  syncs: readonly SyncRun[] | null,
  syncsError: unknown,
  syncsCursor: string | null,
  loadOlder: () => unknown,
) {
  if (syncsError) return errorBox(syncsError, "Sync history");
  if (!syncs) return loading("sync history");
  if (syncs.length === 0) return html`<p class="muted">No sync has run yet.</p>`;
  return html`<div class="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">Started</th>
            <th scope="col">Trigger</th>
            <th scope="col">Result</th>
            <th scope="col">Duration</th>
            <th scope="col">Records</th>
            <th scope="col">Warnings and errors</th>
          </tr>
        </thead>
        <tbody>
          ${syncs.map((s) => {
            const tone =
              s.sync_state === "SUCCEEDED"
                ? "tone-ok"
                : s.sync_state === "PARTIALLY_FAILED"
                  ? "tone-warn"
                  : s.sync_state
                    ? "tone-bad"
                    : "tone-muted";
            const records = Object.entries(s.records);
            return html`<tr>
              <td>${dateTime(s.started_at ?? s.queued_at)}</td>
              <td>${s.trigger.toLowerCase()}</td>
              <td><span class="badge ${tone}">${s.sync_state ?? s.status}</span></td>
              <td>${s.started_at && s.ended_at ? duration(Date.parse(s.ended_at) - Date.parse(s.started_at)) : "—"}</td>
              <td class="small">${records.length ? records.map(([m, n]) => `${m} ${n}`).join(", ") : "—"}</td>
              <td>
                ${s.warnings.map(
                  (w) =>
                    html`<div class="warning">
                      ⚠ ${w.code}:
                      ${
                        "permission" in w
                          ? html`<code>${w.permission}</code> (${[...w.models, ...w.fields].join(", ")})`
                          : w.message
                      }
                    </div>`,
                )}
                ${s.error ? html`<div class="small text-bad">${s.error}</div>` : nothing}
              </td>
            </tr>`;
          })}
        </tbody>
      </table>
    </div>
    ${syncsCursor ? html`<button type="button" style="margin-top: 0.75rem" @click=${loadOlder}>Load older syncs</button>` : nothing}`;
}

/** The sync sessions your product opened: which API key took the credentials, and when. */
export function renderSessions(sessions: readonly SyncSession[] | null) {
  return !sessions || sessions.length === 0
    ? html`<p class="muted">No sync session yet.</p>`
    : html`<div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Taken</th>
              <th scope="col">API key</th>
              <th scope="col">Status</th>
              <th scope="col">Outcome</th>
            </tr>
          </thead>
          <tbody>
            ${sessions.map(
              (x) => html`<tr>
                <td>${dateTime(x.created_at)}</td>
                <td class="mono">${x.api_key_id}</td>
                <td>${x.status}</td>
                <td>${x.outcome ?? "—"}</td>
              </tr>`,
            )}
          </tbody>
        </table>
      </div>`;
}
