import { html, nothing, type TemplateResult } from "lit";
import type { FlowController } from "../flow-controller.ts";
import { stepList } from "./flow-steps.ts";

/** The pieces every view is made of: the heading with its progress, the buttons. */

/** The step's heading (focused on arrival), with "Step n of m" above it on counted steps. */
export function title(c: FlowController, text: string): TemplateResult {
  const steps = stepList(c);
  const index = steps.indexOf(c.view);
  return html`${
    index >= 0 ? html`<p part="progress">${c.t.stepOf(index + 1, steps.length)}</p>` : nothing
  }<h2 id="title" part="title" tabindex="-1">${text}</h2>`;
}

export function actions(...buttons: (TemplateResult | false | undefined)[]): TemplateResult {
  return html`<div part="actions">${buttons.filter(Boolean)}</div>`;
}

export function button(
  label: string,
  onClick: () => void,
  primary = false,
  type: "button" | "submit" = "button",
): TemplateResult {
  return html`<button type=${type} class=${primary ? "primary" : ""} @click=${type === "submit" ? nothing : onClick}>
      ${label}
    </button>`;
}

/** Inline only: a modal closes with its × button. */
export function cancelButton(c: FlowController): TemplateResult | false {
  return (
    !c.modal && html`<button type="button" class="plain" @click=${c.requestClose}>${c.t.cancel}</button>`
  );
}
