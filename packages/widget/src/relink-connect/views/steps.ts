import { adoptStyles, type LitElement } from "lit";
import enRest from "../../locales/en-rest.ts";
import { completeEnglish } from "../localize.ts";
import { styles } from "../relink-connect.styles.ts";
import type { Steps } from "../steps-loader.ts";
import { credentialsView } from "./credentials.ts";
import { errorTitle, errorView, fail } from "./error.ts";
import { handoffView } from "./handoff.ts";
import {
  askBeforeClose,
  checkingView,
  confirmView,
  keepEditing,
  successView,
  supersededView,
} from "./outcome.ts";
import { permissionsView } from "./permissions.ts";
import { stepStyles } from "./steps.styles.ts";
import { toolView } from "./tool.ts";

/**
 * The chunk of every view after the intro (loaded by `steps-loader.ts` once the intro has rendered,
 * or when a view after it is asked for first): the forms, the outcomes, OAuth and the hand-off, the
 * styles only they use and the rest of English.
 */
completeEnglish(enRest);

const adopted = new WeakSet<LitElement>();

/** Adds the later views' styles to the element's own in its shadow root, once per element. */
function adopt(host: LitElement): void {
  if (adopted.has(host) || !host.shadowRoot) return;
  adopted.add(host);
  adoptStyles(host.shadowRoot, [styles, stepStyles]);
}

export const steps: Steps = {
  render: {
    tool: toolView,
    permissions: permissionsView,
    credentials: credentialsView,
    checking: checkingView,
    success: successView,
    error: errorView,
    superseded: supersededView,
    handoff: handoffView,
  },
  confirm: confirmView,
  askBeforeClose,
  keepEditing,
  fail,
  errorTitle,
  adopt,
};
