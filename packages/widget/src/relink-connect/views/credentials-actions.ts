import type { FlowController } from "../flow-controller.ts";
import type { FlowCompleted, FlowWarning, RelinkSuccessDetail, RemoteAccount } from "../types.ts";
import { focusAfterUpdate } from "./outcome.ts";

/** The tool picked and the optional parts left out, as the connect API takes them. */
export function choice(c: FlowController): { tool?: string; opted_out?: string[] } {
  return {
    ...(c.picked ? { tool: c.picked } : {}),
    ...(c.optedOut.size ? { opted_out: [...c.optedOut] } : {}),
  };
}

/** The form's submit: required fields first (focusing the first one missing), then the check. */
export function submit(c: FlowController, event: Event): void {
  event.preventDefault();
  const t = c.t;
  c.fieldErrors.clear();
  for (const field of c.tool?.auth.fields ?? []) {
    if (field.required && !c.values.get(field.id)?.trim()) {
      c.fieldErrors.set(field.id, t.required(field.label));
    }
  }
  c.problem = undefined;
  if (c.fieldErrors.size) {
    focusAfterUpdate(c, "[aria-invalid=true]");
    return;
  }
  void check(c);
}

/** Sends the values to `${server}/connect/v1/credentials` (and nowhere else) and waits for the verdict. */
export async function check(c: FlowController): Promise<void> {
  const api = c.api!;
  const values: Record<string, string> = {};
  for (const field of c.tool?.auth.fields ?? []) {
    const value = c.values.get(field.id);
    if (value) values[field.id] = field.type === "secret" ? value : value.trim();
  }
  c.say(c.t.checkingTitle);
  c.go("checking");
  const out = await c.requests.run((signal) =>
    api.call<FlowCompleted>("POST", "/credentials", signal, { ...choice(c), values }),
  );
  if (!out) return;
  if ("error" in out) return c.fail(out.error, () => void check(c));
  succeed(c, out.value);
}

/** Completed: the credentials are gone from memory, the product hears `relink-success`. */
export function succeed(
  c: FlowController,
  result: RelinkSuccessDetail & { remote_account?: RemoteAccount; warnings?: FlowWarning[] },
): void {
  c.completed = true;
  c.values.clear();
  c.outcome = { remote_account: result.remote_account, warnings: result.warnings };
  c.emit("relink-success", {
    integration_id: result.integration_id,
    flow: result.flow,
    scope_config_id: result.scope_config_id,
  });
  c.say(c.t.successTitle);
  c.go("success");
}

export function cancelCheck(c: FlowController): void {
  c.requests.abort();
  c.problem = undefined;
  c.go("credentials");
}

/** Values typed for secret fields are forgotten before other credentials are asked for. */
export function forgetSecrets(c: FlowController): void {
  for (const field of c.tool?.auth.fields ?? []) {
    if (field.type === "secret") c.values.delete(field.id);
  }
}
