import type { EventLogEntry } from "@relink/sdk/contract";
import { html } from "lit";
import { dateTime } from "../format.ts";
import { errorBox, loading } from "../page.ts";

/** The integration page's events: when, which type, and one line saying what it means. */
export function renderEvents(events: readonly EventLogEntry[] | null, eventsError: unknown) {
  if (eventsError) return errorBox(eventsError, "Events");
  if (!events) return loading("events");
  if (events.length === 0) return html`<p class="muted">No events for this integration.</p>`;
  return html`<div class="table-wrap">
    <table>
      <thead>
        <tr>
          <th scope="col">When</th>
          <th scope="col">Type</th>
          <th scope="col">What</th>
        </tr>
      </thead>
      <tbody>
        ${events.map(
          (e) => html`<tr>
            <td>${dateTime(e.created_at)}</td>
            <td><code>${e.type}</code></td>
            <td class="event-data">${eventSummary(e)}</td>
          </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}

/** One line saying what an event means. */
export function eventSummary(e: EventLogEntry): string {
  const d = e.data as Record<string, unknown>;
  switch (e.type) {
    case "integration-state-changed":
      return `${d.previous_state} → ${d.state} (${d.reason})`;
    case "integration-auth-status-changed":
      return d.auth_status === "FAILING"
        ? `Auth failing; pauses at ${dateTime(String(d.pauses_at ?? ""))}`
        : "Auth OK again";
    case "sync-finished":
      return `${d.trigger} sync ${d.sync_state}${Array.isArray(d.warnings) && d.warnings.length ? ` with ${d.warnings.length} warning(s)` : ""}`;
    case "integration-relinked":
      return d.previous_scope_config_id === d.scope_config_id
        ? "Relinked with new credentials"
        : `Relinked; scope config ${d.previous_scope_config_id ?? "none"} → ${d.scope_config_id ?? "none"}`;
    case "connection-flow-failed":
      return `Flow ${d.flow} failed: ${d.reason}`;
    case "integration-created":
      return `Created (${d.state})`;
    default:
      return JSON.stringify(d).slice(0, 200);
  }
}
