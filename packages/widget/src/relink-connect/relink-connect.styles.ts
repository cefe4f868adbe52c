import { css } from "lit";

const dark = css`
  --_surface: var(--relink-surface, #17181c);
  --_surface-alt: var(--relink-surface-alt, #22242b);
  --_text: var(--relink-text, #ececf1);
  --_muted: var(--relink-text-muted, #a9adbb);
  --_border: var(--relink-border, #3a3d47);
  --_accent: var(--relink-accent, #8b93ff);
  --_on-accent: #0b0c10;
  --_danger: var(--relink-danger, #ff9b9b);
  --_success: var(--relink-success, #5ee08f);
  --_backdrop: var(--relink-backdrop, rgb(0 0 0 / 0.6));
  color-scheme: dark;
`;

export const styles = css`
  :host {
    --_surface: var(--relink-surface, #fff);
    --_surface-alt: var(--relink-surface-alt, #f5f6f8);
    --_text: var(--relink-text, #1b1d23);
    --_muted: var(--relink-text-muted, #555b6b);
    --_border: var(--relink-border, #d6d9e0);
    --_accent: var(--relink-accent, #4f46e5);
    --_on-accent: #fff;
    /* Black or white, whichever is readable on the accent: white below the relative luminance
       (0.179) where both give the same WCAG contrast, black above; at least 4.58:1 either way. */
    --_k: clamp(0, (0.179 - y) * 1e6, 1);
    --_accent-text: var(
      --relink-accent-text,
      color(from var(--_accent) xyz-d65 calc(0.9505 * var(--_k)) var(--_k) calc(1.089 * var(--_k)))
    );
    --_danger: var(--relink-danger, #b42318);
    --_success: var(--relink-success, #17753a);
    --_backdrop: var(--relink-backdrop, rgb(15 17 23 / 0.55));
    --_space: var(--relink-spacing, 1rem);
    --_radius: var(--relink-radius, 12px);
    color-scheme: light;
    display: block;
    font-family: var(--relink-font, system-ui, -apple-system, "Segoe UI", Roboto, sans-serif);
    font-size: var(--relink-font-size, 1rem);
    line-height: 1.5;
    color: var(--_text);
  }
  @media (prefers-color-scheme: dark) {
    :host(:not([theme="light"])) {
      ${dark}
    }
  }
  :host([theme="dark"]) {
    ${dark}
  }
  /* Without relative colours (before Chrome 119, Safari 18, Firefox 128): the defaults' text. */
  @supports not (color: color(from red xyz-d65 x y z)) {
    :host {
      --_accent-text: var(--relink-accent-text, var(--_on-accent));
    }
  }
  * {
    box-sizing: border-box;
  }
  [part~="backdrop"] {
    position: fixed;
    inset: 0;
    z-index: var(--relink-z-index, 2147483000);
    display: grid;
    place-items: center;
    padding: var(--_space);
    background: var(--_backdrop);
    overflow-y: auto;
    animation: fade 0.15s ease-out;
  }
  [part~="panel"] {
    position: relative;
    inline-size: 100%;
    max-inline-size: var(--relink-width, 30rem);
    margin-inline: auto;
    background: var(--_surface);
    color: var(--_text);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    padding: calc(var(--_space) * 1.5);
  }
  [part~="backdrop"] [part~="panel"] {
    box-shadow: 0 24px 64px rgb(0 0 0 / 0.28);
    animation: rise 0.18s ease-out;
  }
  @media (prefers-reduced-motion: reduce) {
    [part~="backdrop"],
    [part~="panel"] {
      animation: none !important;
    }
  }
  @keyframes fade {
    from {
      opacity: 0;
    }
  }
  @keyframes rise {
    from {
      opacity: 0;
      transform: translateY(8px) scale(0.98);
    }
  }
  [part~="header"] {
    display: flex;
    align-items: center;
    gap: calc(var(--_space) * 0.75);
    margin-block-end: var(--_space);
    min-block-size: 2rem;
  }
  [part~="logo"] {
    inline-size: 2.5rem;
    block-size: 2.5rem;
    border-radius: calc(var(--_radius) * 0.6);
    object-fit: contain;
    background: var(--_surface-alt);
    flex: none;
  }
  .brand {
    flex: 1;
    min-inline-size: 0;
    display: flex;
    flex-direction: column;
  }
  .brand strong {
    font-weight: 600;
  }
  .muted,
  [part~="progress"] {
    color: var(--_muted);
    font-size: 0.875em;
  }
  [part~="close-button"] {
    flex: none;
    margin-inline-start: auto;
    inline-size: 2.25rem;
    block-size: 2.25rem;
    padding: 0;
    border-radius: 50%;
    font-size: 1.25rem;
    line-height: 1;
  }
  [part~="title"] {
    font-size: 1.3em;
    line-height: 1.25;
    margin: 0 0 calc(var(--_space) * 0.5);
    outline: none;
  }
  p {
    margin: 0 0 calc(var(--_space) * 0.75);
  }
  [part~="actions"] {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5em;
    justify-content: flex-end;
    margin-block-start: calc(var(--_space) * 1.25);
  }
  button {
    font: inherit;
    font-weight: 600;
    cursor: pointer;
    color: var(--_text);
    background: transparent;
    border: 1px solid var(--_border);
    border-radius: calc(var(--_radius) * 0.6);
    padding: 0.55em 1.1em;
  }
  button:hover {
    background: var(--_surface-alt);
  }
  button.plain {
    border-color: transparent;
  }
  button.primary {
    background: var(--_accent);
    border-color: var(--_accent);
    color: var(--_accent-text);
  }
  button.primary:hover {
    filter: brightness(1.08);
  }
  :focus-visible {
    outline: 2px solid var(--relink-focus-ring, var(--_accent));
    outline-offset: 2px;
  }
  /* Headings and the panel take focus only to guide screen readers; they are not controls. */
  [tabindex="-1"]:focus {
    outline: none;
  }
  [part~="spinner"] {
    inline-size: 3rem;
    block-size: 3rem;
    margin: var(--_space) auto;
    border-radius: 50%;
    border: 4px solid var(--_border);
    border-block-start-color: var(--_accent);
    animation: spin 0.9s linear infinite;
  }
  @keyframes spin {
    to {
      transform: rotate(1turn);
    }
  }
  [part~="progress"] {
    margin: 0 0 0.25em;
  }
  .sr-only {
    position: absolute;
    inline-size: 1px;
    block-size: 1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }
`;
