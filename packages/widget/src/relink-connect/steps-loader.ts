import type { LitElement, TemplateResult } from "lit";
import type { FlowController } from "./flow-controller.ts";
import type { View } from "./types.ts";

/** What the steps chunk (`views/steps.ts`) brings: every view after the intro, their styles and English. */
export interface Steps {
  render: Partial<Record<Exclude<View, "loading" | "intro">, (c: FlowController) => TemplateResult>>;
  confirm: (c: FlowController) => TemplateResult;
  /** Closing with credentials typed: shows the confirmation instead (true), else false. */
  askBeforeClose: (c: FlowController) => boolean;
  /** Leaves the confirmation, back to the form. */
  keepEditing: (c: FlowController) => void;
  /** A request failed: `FLOW_SUPERSEDED`, invalid credentials, or the error view. */
  fail: (c: FlowController, error: unknown, retry?: () => void) => void;
  /** The heading of the error view, announced as it shows. */
  errorTitle: (c: FlowController) => string;
  /** Adds the steps' styles to an element's shadow root (once). */
  adopt: (host: LitElement) => void;
}

let loading: Promise<Steps> | undefined;

/**
 * Loads the chunk of the views after the intro (a separate file beside the drop-in module): the
 * first view needs only Lit, the frame and the intro, and the chunk is fetched once it has
 * rendered. Cached; a failed load is tried again next time.
 */
export function loadSteps(): Promise<Steps> {
  loading ??= import("./views/steps.ts").then(
    (m) => m.steps,
    (error) => {
      loading = undefined;
      throw error;
    },
  );
  return loading;
}
