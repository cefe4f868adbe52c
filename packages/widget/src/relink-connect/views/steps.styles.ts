import { css } from "lit";

/** The styles of the views after the intro: they come with their chunk (`steps.ts`). */
export const stepStyles = css`
  ul {
    list-style: none;
    margin: 0 0 var(--_space);
    padding: 0;
    display: grid;
    gap: calc(var(--_space) * 0.5);
  }
  [part~="permission"],
  [part~="tool-option"] {
    padding: calc(var(--_space) * 0.75);
    border: 1px solid var(--_border);
    border-radius: calc(var(--_radius) * 0.75);
    background: var(--_surface-alt);
  }
  [part~="permission"].new {
    border-color: var(--_accent);
    border-inline-start-width: 4px;
  }
  [part~="permission"] p {
    margin: 0.25em 0 0;
  }
  [part~="badge"] {
    display: inline-block;
    margin-inline-start: 0.5em;
    padding: 0 0.5em;
    border-radius: 999px;
    background: var(--_accent);
    color: var(--_accent-text);
    font-size: 0.75em;
    font-weight: 600;
    vertical-align: 0.1em;
  }
  [part~="tool-option"] {
    display: flex;
    align-items: center;
    gap: 0.75em;
    inline-size: 100%;
    text-align: start;
    font-weight: 600;
  }
  [part~="tool-option"] img {
    inline-size: 1.75rem;
    block-size: 1.75rem;
    object-fit: contain;
  }
  fieldset {
    border: 0;
    margin: 0 0 var(--_space);
    padding: 0;
  }
  legend {
    font-weight: 600;
    padding: 0;
    margin-block-end: 0.25em;
  }
  [part~="field"] {
    display: grid;
    grid-template-columns: minmax(0, 1fr);
    gap: 0.25em;
    margin-block-end: var(--_space);
  }
  [part~="label"] {
    font-weight: 600;
  }
  .control {
    display: flex;
    gap: 0.5em;
  }
  [part~="input"] {
    flex: 1;
    min-inline-size: 0;
    font: inherit;
    color: inherit;
    background: var(--_surface);
    border: 1px solid var(--_border);
    border-radius: calc(var(--_radius) * 0.6);
    padding: 0.55em 0.75em;
  }
  [part~="input"][aria-invalid="true"] {
    border-color: var(--_danger);
  }
  [part~="field-error"] {
    color: var(--_danger);
    font-size: 0.875em;
    font-weight: 500;
  }
  .check {
    display: flex;
    gap: 0.6em;
    align-items: baseline;
    padding-block: 0.25em;
  }
  .check input {
    accent-color: var(--_accent);
  }
  [part~="alert"] {
    border: 1px solid var(--_danger);
    border-inline-start-width: 4px;
    border-radius: calc(var(--_radius) * 0.6);
    padding: calc(var(--_space) * 0.75);
    margin-block-end: var(--_space);
    background: var(--_surface-alt);
  }
  [part~="alert"] strong {
    color: var(--_danger);
  }
  [part~="alert"] p {
    margin: 0.25em 0 0;
  }
  [part~="status-icon"] {
    display: grid;
    place-items: center;
    inline-size: 3.5rem;
    block-size: 3.5rem;
    margin: calc(var(--_space) * 0.5) auto var(--_space);
    border-radius: 50%;
    font-size: 1.75rem;
    font-weight: 700;
    border: 3px solid currentColor;
  }
  .ok {
    color: var(--_success);
  }
  .bad {
    color: var(--_danger);
  }
  .center {
    text-align: center;
  }
  .center [part~="actions"] {
    justify-content: center;
  }
  .center ul {
    text-align: start;
  }
  .initial {
    display: grid;
    place-items: center;
    inline-size: 1.75rem;
    block-size: 1.75rem;
    border-radius: 6px;
    background: var(--_accent);
    color: var(--_accent-text);
    font-size: 0.9em;
  }
  [part~="help"] {
    color: var(--_muted);
    font-size: 0.875em;
  }
  .handoff {
    margin: var(--_space) 0 0;
    text-align: end;
  }
  button.link {
    border: 0;
    padding: 0;
    font-weight: 500;
    text-decoration: underline;
    text-underline-offset: 0.15em;
  }
  button.link:hover {
    background: transparent;
  }
`;
