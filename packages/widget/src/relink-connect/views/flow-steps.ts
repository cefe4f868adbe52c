import type { FlowController } from "../flow-controller.ts";
import type { View } from "../types.ts";

/** Which steps a flow has: they depend on the tool, its permissions and what was opted out. */

/** The permissions still needed, the newly required first; those only opted-out parts need drop out. */
export function permissions(c: FlowController) {
  const flow = c.flow;
  if (!flow) return [];
  const parts = flow.optional_parts;
  return flow.required_permissions
    .filter(
      (p) =>
        !p.optional ||
        !parts.some((part) => part.permission === p.id) ||
        parts.some((part) => part.permission === p.id && !c.optedOut.has(part.id)),
    )
    .sort((a, b) => Number(b.newly_required) - Number(a.newly_required));
}

/** The step after the tool is known: its permissions, or straight to the credentials. */
export function afterTool(c: FlowController): View {
  return permissions(c).length ? "permissions" : "credentials";
}

/** Steps that count in "Step n of m". */
export function stepList(c: FlowController): View[] {
  const steps: View[] = ["intro"];
  if (c.tools) steps.push("tool");
  if (!c.tool || c.flow?.required_permissions.length) steps.push("permissions");
  steps.push("credentials");
  return steps;
}
