import enRest from "../../locales/en-rest.ts";
import { completeEnglish } from "../localize.ts";
import type { Steps } from "../steps-loader.ts";
import { adoptMore } from "../steps-loader.ts";
import { credentialsView } from "./credentials.ts";
import { errorTitle, errorView, fail } from "./error.ts";
import { afterTool } from "./flow-steps.ts";
import { handoffView } from "./handoff.ts";
import { introView } from "./intro.ts";
import { checkingView, confirmView, successView, supersededView } from "./outcome.ts";
import { permissionsView } from "./permissions.ts";
import { stepStyles } from "./steps.styles.ts";
import { toolView } from "./tool.ts";

/**
 * The chunk of every view after the intro (loaded on demand by `steps-loader.ts`): the forms, the
 * outcomes, OAuth and the hand-off, and the styles only they use.
 */
completeEnglish(enRest);

export const steps: Steps = {
  render: {
    intro: introView,
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
  afterTool,
  fail,
  errorTitle,
  adopt: (host) => adoptMore(host, stepStyles),
};
