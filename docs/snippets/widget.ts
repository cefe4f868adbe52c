/** The widget from code: the examples of docs/widget.md. Type-checked (DOM), run in the widget's tests. */
// #region open-relink
import { openRelink, RelinkCancelledError } from "@relink/widget";

export async function reconnect(server: string) {
  const { token } = await (await fetch("/api/relink-token", { method: "POST" })).json();
  try {
    const { integration_id, scope_config_id } = await openRelink({ token, server, locale: "de" });
    console.log(`relinked ${integration_id} onto ${scope_config_id}`);
  } catch (error) {
    if (error instanceof RelinkCancelledError) console.log(`left at ${error.step}: ${error.reason}`);
    else throw error;
  }
}
// #endregion open-relink

// #region events
export function listen(flow: HTMLElementTagNameMap["relink-connect"]) {
  // Typed: `event.detail` is known for every relink-* event.
  flow.addEventListener("relink-step", (event) => console.log("step", event.detail.step));
  flow.addEventListener("relink-error", (event) => console.warn(event.detail.code, event.detail.message));
  flow.addEventListener("relink-exit", (event) =>
    console.log("left", event.detail.step, event.detail.reason),
  );
  flow.addEventListener("relink-success", (event) => {
    const { integration_id, flow: kind, scope_config_id } = event.detail;
    console.log(kind, integration_id, scope_config_id);
  });
}
// #endregion events

// #region vue
// vite.config.ts of a Vue app: leave <relink-connect> to the browser, then use it in templates
// as <relink-connect :server="server" .token="token" @relink-success="onSuccess" />.
export const vuePluginOptions = {
  template: { compilerOptions: { isCustomElement: (tag: string) => tag === "relink-connect" } },
};
// #endregion vue
