import { html, type TemplateResult } from "lit";
import type { FlowController } from "../flow-controller.ts";
import { actions, button, cancelButton, title } from "./parts.ts";

/** Connect flows without a preselected tool: the end user picks theirs. */
export function toolView(c: FlowController): TemplateResult {
  const t = c.t;
  const pick = (id: string) => {
    c.picked = id;
    c.values.clear();
    void c.load(id);
  };
  return html`${title(c, t.toolTitle)}
    <p>${t.toolLead(c.flow!.end_user.organization_name)}</p>
    <ul>
      ${c.tools!.map(
        (tool) => html`<li>
          <button type="button" part="tool-option" @click=${() => pick(tool.id)}>
            ${tool.logo_url ? html`<img src=${tool.logo_url} alt="" />` : html`<span class="initial" aria-hidden="true">${tool.name[0]}</span>`}${tool.name}
          </button>
        </li>`,
      )}
    </ul>
    ${actions(
      cancelButton(c),
      button(t.back, () => c.go("intro")),
    )}`;
}
