import { css } from "lit";

/** Colours and spacing, light and dark (from `prefers-color-scheme`), shared by every view. */
export const tokens = css`
  :host {
    --bg: #f6f7f9;
    --surface: #ffffff;
    --surface-2: #eef0f4;
    --text: #17191e;
    --muted: #545b69;
    --border: #d3d7df;
    --accent: #2f55d4;
    --accent-text: #ffffff;
    --focus: #1d4ed8;
    --ok: #126b3a;
    --ok-bg: #e3f5ea;
    --warn: #8a4b00;
    --warn-bg: #fff1d6;
    --bad: #b3261e;
    --bad-bg: #fde7e5;
    --muted-bg: #eceef2;
    --shade: rgba(179, 38, 30, 0.12);
    --radius: 8px;
    color-scheme: light dark;
    font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
    color: var(--text);
    line-height: 1.45;
  }
  @media (prefers-color-scheme: dark) {
    :host {
      --bg: #111318;
      --surface: #1a1d24;
      --surface-2: #242833;
      --text: #e8eaef;
      --muted: #a8afbd;
      --border: #3a404d;
      --accent: #8aa4ff;
      --accent-text: #0d1330;
      --focus: #a9bcff;
      --ok: #7ddc9f;
      --ok-bg: #163322;
      --warn: #ffc46b;
      --warn-bg: #3a2a0f;
      --bad: #ff9a90;
      --bad-bg: #3d1a18;
      --muted-bg: #2a2e38;
      --shade: rgba(255, 154, 144, 0.16);
    }
  }
`;

/** Controls, tables, badges and states used across pages. */
export const shared = css`
  * {
    box-sizing: border-box;
  }
  h1,
  h2,
  h3 {
    line-height: 1.2;
    margin: 0 0 0.75rem;
  }
  h1 {
    font-size: 1.5rem;
  }
  h2 {
    font-size: 1.15rem;
  }
  h3 {
    font-size: 1rem;
  }
  h1:focus {
    outline: none;
  }
  h1:focus-visible {
    outline: 3px solid var(--focus);
    outline-offset: 2px;
  }
  a {
    color: var(--accent);
  }
  :focus-visible {
    outline: 3px solid var(--focus);
    outline-offset: 2px;
  }
  button,
  .button {
    font: inherit;
    font-size: 0.9rem;
    border: 1px solid var(--border);
    background: var(--surface);
    color: var(--text);
    border-radius: var(--radius);
    padding: 0.4rem 0.8rem;
    cursor: pointer;
    text-decoration: none;
    display: inline-flex;
    align-items: center;
    gap: 0.35rem;
  }
  button:hover:not(:disabled) {
    background: var(--surface-2);
  }
  button.primary {
    background: var(--accent);
    color: var(--accent-text);
    border-color: var(--accent);
  }
  button.primary:hover:not(:disabled) {
    filter: brightness(1.08);
    background: var(--accent);
  }
  button.danger {
    color: var(--bad);
    border-color: var(--bad);
  }
  button:disabled {
    opacity: 0.55;
    cursor: not-allowed;
  }
  input,
  select,
  textarea {
    font: inherit;
    font-size: 0.9rem;
    color: var(--text);
    background: var(--surface);
    border: 1px solid var(--border);
    border-radius: var(--radius);
    padding: 0.4rem 0.55rem;
  }
  textarea {
    width: 100%;
    font-family: ui-monospace, SFMono-Regular, Menlo, monospace;
  }
  label {
    font-size: 0.85rem;
    color: var(--muted);
    display: flex;
    flex-direction: column;
    gap: 0.25rem;
  }
  .field {
    display: flex;
    flex-direction: column;
    gap: 0.25rem;
  }
  label.inline {
    flex-direction: row;
    align-items: center;
    gap: 0.4rem;
    color: var(--text);
  }
  fieldset {
    border: 1px solid var(--border);
    border-radius: var(--radius);
    padding: 0.75rem 1rem;
    margin: 0;
  }
  legend {
    font-weight: 600;
    padding: 0 0.3rem;
  }
  .card {
    background: var(--surface);
    border: 1px solid var(--border);
    border-radius: var(--radius);
    padding: 1rem 1.25rem;
    margin-bottom: 1rem;
  }
  .row {
    display: flex;
    flex-wrap: wrap;
    gap: 0.6rem;
    align-items: flex-end;
  }
  .spread {
    display: flex;
    justify-content: space-between;
    align-items: center;
    gap: 1rem;
    flex-wrap: wrap;
  }
  table {
    width: 100%;
    border-collapse: collapse;
    font-size: 0.9rem;
  }
  th,
  td {
    text-align: left;
    padding: 0.5rem 0.6rem;
    border-bottom: 1px solid var(--border);
    vertical-align: top;
  }
  th {
    font-size: 0.78rem;
    text-transform: uppercase;
    letter-spacing: 0.03em;
    color: var(--muted);
    font-weight: 600;
  }
  .table-wrap {
    overflow-x: auto;
  }
  .muted {
    color: var(--muted);
  }
  .small {
    font-size: 0.82rem;
  }
  code,
  .mono {
    font-family: ui-monospace, SFMono-Regular, Menlo, monospace;
    font-size: 0.85em;
  }
  .badge {
    display: inline-block;
    font-size: 0.75rem;
    font-weight: 600;
    padding: 0.1rem 0.5rem;
    border-radius: 999px;
    white-space: nowrap;
    border: 1px solid transparent;
  }
  .tone-ok {
    color: var(--ok);
    background: var(--ok-bg);
  }
  .tone-warn {
    color: var(--warn);
    background: var(--warn-bg);
  }
  .tone-bad {
    color: var(--bad);
    background: var(--bad-bg);
  }
  .tone-muted {
    color: var(--muted);
    background: var(--muted-bg);
  }
  .text-ok {
    color: var(--ok);
  }
  .text-warn {
    color: var(--warn);
  }
  .text-bad {
    color: var(--bad);
  }
  .notice {
    border-radius: var(--radius);
    padding: 0.75rem 1rem;
    margin: 0.75rem 0;
    border: 1px solid var(--border);
    background: var(--surface-2);
  }
  .notice.error {
    border-color: var(--bad);
    background: var(--bad-bg);
    color: var(--text);
  }
  .notice.success {
    border-color: var(--ok);
    background: var(--ok-bg);
  }
  .notice.secret,
  .notice.warn {
    border-color: var(--warn);
    background: var(--warn-bg);
  }
  .empty {
    padding: 1.5rem;
    text-align: center;
    color: var(--muted);
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }
  dl.facts {
    display: grid;
    /* minmax(0, …): a long id wraps instead of widening the page (no sideways scroll at 375 px). */
    grid-template-columns: max-content minmax(0, 1fr);
    gap: 0.35rem 1rem;
    margin: 0;
  }
  dl.facts dt {
    color: var(--muted);
    font-size: 0.85rem;
  }
  dl.facts dd {
    margin: 0;
    overflow-wrap: anywhere;
  }
  .copy-field {
    display: flex;
    gap: 0.4rem;
    align-items: center;
  }
  .copy-field input {
    flex: 1;
    min-width: 0;
    font-family: ui-monospace, SFMono-Regular, Menlo, monospace;
  }
  dialog {
    border: 1px solid var(--border);
    border-radius: var(--radius);
    background: var(--surface);
    color: var(--text);
    max-width: 28rem;
    padding: 1.25rem;
  }
  dialog::backdrop {
    background: rgba(0, 0, 0, 0.45);
  }
  ul.plain {
    list-style: none;
    padding: 0;
    margin: 0;
  }
`;
