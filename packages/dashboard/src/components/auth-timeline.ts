import type { AuthCheck, AuthOutcome } from "@relink/sdk/contract";
import { css, html, LitElement, nothing, svg } from "lit";
import { dateTime, duration } from "../format.ts";
import { shared, tokens } from "../styles.ts";
import { ticks, timeline } from "./timeline-geometry.ts";

const WIDTH = 900;
const HEIGHT = 170;
const LEFT = 96;
const RIGHT = 16;
const TOP = 22;
const LANE = 34;
const LANES: Record<AuthOutcome, number> = { OK: 0, INCONCLUSIVE: 1, AUTH_FAILED: 2 };
const LABELS: Record<AuthOutcome, string> = { OK: "OK", INCONCLUSIVE: "Inconclusive", AUTH_FAILED: "Failed" };

/**
 * The auth-health timeline of one integration: an inline SVG of its auth checks over the last days
 * (OK, failed and inconclusive on their own lanes, with distinct shapes), the open failure streak
 * shaded, and the pause moment (or the coming one) marked. The same facts are in a caption and a
 * table for screen readers.
 */
export class AuthTimeline extends LitElement {
  static override styles = [
    tokens,
    shared,
    css`
      :host {
        display: block;
      }
      svg {
        width: 100%;
        height: auto;
        display: block;
        overflow: visible;
      }
      .lane {
        stroke: var(--border);
        stroke-dasharray: 2 4;
      }
      .lane-label,
      .tick {
        fill: var(--muted);
        font-size: 11px;
      }
      .ok {
        fill: var(--ok);
      }
      .failed {
        stroke: var(--bad);
        stroke-width: 3;
      }
      .inconclusive {
        fill: var(--warn);
      }
      .streak {
        fill: var(--shade);
      }
      .streak.past {
        opacity: 0.5;
      }
      .streak-label {
        fill: var(--bad);
        font-size: 11px;
        font-weight: 600;
      }
      .pause {
        stroke: var(--bad);
        stroke-width: 2;
      }
      .pause-due {
        stroke: var(--warn);
        stroke-width: 2;
        stroke-dasharray: 5 4;
      }
      .now {
        stroke: var(--muted);
        stroke-width: 1;
        stroke-dasharray: 1 3;
      }
      .mark-label {
        font-size: 11px;
        font-weight: 600;
      }
      figure {
        margin: 0;
      }
      figcaption {
        font-size: 0.9rem;
        margin-bottom: 0.5rem;
      }
      .legend {
        display: flex;
        gap: 1rem;
        flex-wrap: wrap;
        font-size: 0.8rem;
        color: var(--muted);
        margin-top: 0.4rem;
      }
      .swatch {
        display: inline-block;
        width: 0.8rem;
        height: 0.8rem;
        vertical-align: -0.1rem;
        margin-right: 0.25rem;
      }
      details {
        margin-top: 0.5rem;
      }
    `,
  ];

  static override properties = {
    checks: { attribute: false },
    failingSince: { attribute: false },
    pausedAt: { attribute: false },
    pausesAt: { attribute: false },
    now: { attribute: false },
  };

  declare checks: AuthCheck[];
  declare failingSince: string | null;
  declare pausedAt: string | null;
  declare pausesAt: string | null;
  declare now: number;

  constructor() {
    super();
    this.checks = [];
    this.failingSince = null;
    this.pausedAt = null;
    this.pausesAt = null;
    this.now = Date.now();
  }

  override render() {
    const t = timeline({
      checks: this.checks,
      failingSince: this.failingSince,
      pausedAt: this.pausedAt,
      pausesAt: this.pausesAt,
      now: this.now,
    });
    const x = (at: number) => LEFT + ((at - t.start) / (t.end - t.start)) * (WIDTH - LEFT - RIGHT);
    const y = (outcome: AuthOutcome) => TOP + LANES[outcome] * LANE + LANE / 2;
    const bottom = TOP + 3 * LANE;
    const spanText = duration(this.now - t.start);

    const parts = [
      `${t.checks.length} auth ${t.checks.length === 1 ? "check" : "checks"} in the last ${spanText}: ${t.counts.OK} OK, ${t.counts.AUTH_FAILED} failed, ${t.counts.INCONCLUSIVE} inconclusive.`,
    ];
    if (this.failingSince) parts.push(`Failing since ${dateTime(this.failingSince)}.`);
    else parts.push("No failure streak open.");
    if (t.pastStreaks.length) {
      parts.push(
        t.pastStreaks.length === 1
          ? "1 earlier failure streak recovered."
          : `${t.pastStreaks.length} earlier failure streaks recovered.`,
      );
    }
    if (this.pausedAt) parts.push(`Paused at ${dateTime(this.pausedAt)}.`);
    else if (this.pausesAt) parts.push(`Pauses at ${dateTime(this.pausesAt)} if nothing changes.`);
    const summary = parts.join(" ");

    return html`<figure>
      <figcaption id="summary" data-testid="timeline-summary">${summary}</figcaption>
      ${
        t.checks.length === 0 && !this.failingSince
          ? html`<p class="muted">No auth checks yet: the first one runs before the first sync.</p>`
          : html`<svg viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-labelledby="summary">
              ${t.pastStreaks.map(
                (s) =>
                  svg`<rect class="streak past" x=${x(s.from)} y=${TOP - 6} width=${Math.max(2, x(s.to) - x(s.from))} height=${3 * LANE + 12}><title>An earlier failure streak, ended by a successful check</title></rect>`,
              )}
              ${
                t.streak
                  ? svg`<rect class="streak current" x=${x(t.streak.from)} y=${TOP - 6} width=${Math.max(2, x(t.streak.to) - x(t.streak.from))} height=${3 * LANE + 12}></rect>
                  <text class="streak-label" x=${x(t.streak.from) + 4} y=${TOP - 9}>failing streak</text>`
                  : nothing
              }
              ${(Object.keys(LANES) as AuthOutcome[]).map(
                (outcome) =>
                  svg`<line class="lane" x1=${LEFT} x2=${WIDTH - RIGHT} y1=${y(outcome)} y2=${y(outcome)}></line>
                  <text class="lane-label" x="0" y=${y(outcome) + 4}>${LABELS[outcome]}</text>`,
              )}
              ${ticks(t.start, t.end).map(
                (at, i, all) =>
                  svg`<text class="tick" x=${x(at)} y=${bottom + 20} text-anchor=${i === 0 ? "start" : i === all.length - 1 ? "end" : "middle"}>${tickLabel(at, t.end - t.start)}</text>`,
              )}
              <line class="now" x1=${x(this.now)} x2=${x(this.now)} y1=${TOP - 6} y2=${bottom + 6}></line>
              ${
                t.pausedAt !== null
                  ? svg`<line class="pause" x1=${x(t.pausedAt)} x2=${x(t.pausedAt)} y1=${TOP - 14} y2=${bottom + 6}></line>
                    <text class="mark-label text-bad" style="fill: var(--bad)" x=${labelX(x(t.pausedAt))} y=${bottom + 38} text-anchor=${labelAnchor(x(t.pausedAt))}>paused ${tickLabel(t.pausedAt, t.end - t.start)}</text>`
                  : nothing
              }
              ${
                t.pausesAt !== null && t.pausedAt === null
                  ? svg`<line class="pause-due" x1=${x(t.pausesAt)} x2=${x(t.pausesAt)} y1=${TOP - 14} y2=${bottom + 6}></line>
                    <text class="mark-label" style="fill: var(--warn)" x=${labelX(x(t.pausesAt))} y=${bottom + 38} text-anchor=${labelAnchor(x(t.pausesAt))}>pauses here if still failing</text>`
                  : nothing
              }
              ${t.checks.map((c) => {
                const cx = x(c.at);
                const cy = y(c.outcome);
                const label = `${LABELS[c.outcome]} at ${dateTime(new Date(c.at))}`;
                if (c.outcome === "OK")
                  return svg`<circle class="ok" cx=${cx} cy=${cy} r="5"><title>${label}</title></circle>`;
                if (c.outcome === "INCONCLUSIVE")
                  return svg`<path class="inconclusive" d="M${cx} ${cy - 6} L${cx + 6} ${cy + 5} L${cx - 6} ${cy + 5} Z"><title>${label}</title></path>`;
                return svg`<g class="failed"><title>${label}</title><line x1=${cx - 5} y1=${cy - 5} x2=${cx + 5} y2=${cy + 5}></line><line x1=${cx - 5} y1=${cy + 5} x2=${cx + 5} y2=${cy - 5}></line></g>`;
              })}
            </svg>`
      }
      <div class="legend" aria-hidden="true">
        <span><span class="swatch" style="background: var(--ok); border-radius: 50%"></span>OK</span>
        <span><span class="swatch" style="background: var(--bad)"></span>Failed (AUTH_FAILED)</span>
        <span><span class="swatch" style="background: var(--warn)"></span>Inconclusive (outage, timeout)</span>
        <span><span class="swatch" style="background: var(--shade)"></span>Failure streak</span>
      </div>
      ${
        this.checks.length
          ? html`<details>
              <summary>The ${Math.min(this.checks.length, 50)} latest checks as a table</summary>
              <div class="table-wrap">
                <table>
                  <thead>
                    <tr>
                      <th scope="col">When</th>
                      <th scope="col">Outcome</th>
                      <th scope="col">Trigger</th>
                      <th scope="col">Detail</th>
                    </tr>
                  </thead>
                  <tbody>
                    ${this.checks.slice(0, 50).map(
                      (c) => html`<tr>
                        <td>${dateTime(c.checked_at)}</td>
                        <td>${LABELS[c.outcome]}</td>
                        <td>${c.trigger}</td>
                        <td>${c.detail ?? ""}</td>
                      </tr>`,
                    )}
                  </tbody>
                </table>
              </div>
            </details>`
          : nothing
      }
    </figure>`;
  }
}

/** Labels of marks read away from the nearer edge, so that they are never cut off. */
const labelAnchor = (at: number) => (at < WIDTH / 2 ? "start" : "end");
const labelX = (at: number) => (at < WIDTH / 2 ? at + 4 : at - 4);

/** Dates when the window spans days, times of day otherwise. */
function tickLabel(at: number, span: number): string {
  const date = new Date(at);
  if (span > 2 * 24 * 3_600_000)
    return date.toLocaleString(undefined, { day: "numeric", month: "short", hour: "2-digit" });
  if (span > 10 * 60_000) return date.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });
  return date.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" });
}

customElements.define("relink-auth-timeline", AuthTimeline);
