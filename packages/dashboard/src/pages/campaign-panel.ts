import type { RelinkCampaign, RelinkCampaignPreview, ScopeConfigModels } from "@relink/sdk/contract";
import { css, html, LitElement, nothing } from "lit";
import { type Api, errorText } from "../api.ts";
import { shared, tokens } from "../styles.ts";

/**
 * A scope config's relink campaigns (`/v1/scope-configs/:id/relink-campaigns`): how many
 * integrations the edit in progress would ask to relink (preview, nothing saved), a button that
 * starts the campaign with that edit (saved as a new scope config, so integrations keep syncing on
 * this one until they relink), and each campaign's progress: relinked, pending, paused.
 */
export class CampaignPanel extends LitElement {
  static override styles = [
    tokens,
    shared,
    css`
      .bar {
        display: flex;
        height: 0.75rem;
        border-radius: 0.4rem;
        overflow: hidden;
        background: var(--border, #ddd);
        margin: 0.4rem 0;
      }
      .bar span.relinked {
        background: #15803d;
      }
      .bar span.paused {
        background: #b91c1c;
      }
      dl {
        display: grid;
        grid-template-columns: auto auto auto auto;
        gap: 0.2rem 1rem;
        margin: 0.3rem 0;
      }
      dt {
        font-weight: 600;
      }
      dd {
        margin: 0;
      }
    `,
  ];
  static override properties = {
    api: { attribute: false },
    configId: { attribute: false },
    models: { attribute: false },
    preview: { state: true },
    campaigns: { state: true },
    error: { state: true },
    busy: { state: true },
  };

  declare api: Api;
  declare configId: string;
  declare models: ScopeConfigModels;
  declare preview: RelinkCampaignPreview | null;
  declare campaigns: RelinkCampaign[];
  declare error: unknown;
  declare busy: boolean;

  constructor() {
    super();
    this.preview = null;
    this.campaigns = [];
    this.error = null;
    this.busy = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  async load(): Promise<void> {
    try {
      this.campaigns = await this.api.scopeConfigs.relinkCampaigns.list(this.configId);
    } catch (error) {
      this.error = error;
    }
  }

  async check(): Promise<void> {
    this.busy = true;
    this.error = null;
    try {
      this.preview = await this.api.scopeConfigs.relinkCampaigns.preview(this.configId, {
        models: this.models,
      });
    } catch (error) {
      this.error = error;
    } finally {
      this.busy = false;
    }
  }

  async start(): Promise<void> {
    this.busy = true;
    this.error = null;
    try {
      const campaign = await this.api.scopeConfigs.relinkCampaigns.create(this.configId, {
        models: this.models,
      });
      this.preview = null;
      this.dispatchEvent(
        new CustomEvent("dashboard-announce", {
          detail: `Campaign started: ${campaign.progress.total} integrations asked to relink.`,
          bubbles: true,
          composed: true,
        }),
      );
      await this.load();
    } catch (error) {
      this.error = error;
    } finally {
      this.busy = false;
    }
  }

  override render() {
    const p = this.preview;
    return html`<section class="card" aria-labelledby="campaign-title">
      <h2 id="campaign-title">Relink campaign</h2>
      <p class="small muted">
        When an edit needs permissions integrations do not have, start a campaign instead of saving: the
        edit becomes a new scope config, each affected integration relinks onto it, and until then it keeps
        syncing on this one.
      </p>
      <button type="button" ?disabled=${this.busy} @click=${this.check}>Check the edit's impact</button>
      ${
        p
          ? html`<p role="status" data-testid="campaign-preview">
              <strong>${p.affected}</strong> of ${p.integrations} integrations lack permissions the edit
              needs${p.paused ? html` (${p.paused} of them paused)` : nothing}${
                p.missing.length
                  ? html`: ${p.missing.map((m, i) => html`${i ? ", " : ""}<code>${m.permission}</code> (${m.integrations})`)}`
                  : nothing
              }. ${p.already_granted} already grant it and will move at once.
            </p>
            <button class="primary" type="button" ?disabled=${this.busy || p.affected === 0} @click=${this.start}>
              Start relink campaign for ${p.affected} integrations
            </button>`
          : nothing
      }
      ${this.error ? html`<div class="notice error" role="alert">${errorText(this.error)}</div>` : nothing}
      ${this.campaigns.length ? html`<h3>Campaigns</h3>` : nothing}
      ${this.campaigns.map((c) => this.#renderCampaign(c))}
    </section>`;
  }

  #renderCampaign(c: RelinkCampaign) {
    const { total, relinked, pending, paused } = c.progress;
    const pct = (n: number) => (total ? `${(100 * n) / total}%` : "0");
    return html`<article data-testid="campaign-${c.id}" aria-label="Campaign ${c.id}">
      <div class="small muted">
        Started ${new Date(c.created_at).toLocaleString()} · target <code>${c.scope_config_id}</code>
        ${c.moved ? html`· ${c.moved} moved at once` : nothing}
      </div>
      <div
        class="bar"
        role="progressbar"
        aria-label="Relinked"
        aria-valuemin="0"
        aria-valuemax=${total}
        aria-valuenow=${relinked}
      >
        <span class="relinked" style="width: ${pct(relinked)}"></span>
        <span class="paused" style="width: ${pct(paused)}"></span>
      </div>
      <dl>
        <dt>Relinked</dt>
        <dd data-testid="relinked">${relinked} / ${total}</dd>
        <dt>Pending</dt>
        <dd data-testid="pending">${pending}</dd>
        <dt>Paused</dt>
        <dd data-testid="paused">${paused}</dd>
      </dl>
    </article>`;
  }
}

customElements.define("relink-campaign-panel", CampaignPanel);
