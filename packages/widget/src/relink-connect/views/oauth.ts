import { ConnectApiError } from "../connect-api.ts";
import type { FlowController } from "../flow-controller.ts";
import { openPopup, PopupClosedError, waitForCallback } from "../oauth-popup.ts";
import type { RelinkErrorCode } from "../types.ts";
import { choice, succeed } from "./credentials-actions.ts";

/**
 * Signs in with the tool in a popup: opened at once (in the click's task, so that pop-up blockers
 * let it through), sent to the authorize URL once the server answered, then the callback's message.
 */
export async function startOAuth(c: FlowController): Promise<void> {
  const t = c.t;
  const api = c.api!;
  c.note = "";
  c.problem = undefined;
  const popup = openPopup();
  if (!popup) {
    c.emit("relink-error", { code: "POPUP_BLOCKED", message: "The browser blocked the pop-up." });
    c.notify(t.popupBlocked);
    return;
  }
  c.waiting = true;
  c.say(t.oauthWaiting(c.tool?.name ?? ""));
  const serverOrigin = new URL(c.serverUrl).origin;
  const out = await c.requests.run(async (signal) => {
    const { authorize_url } = await api.call<{ authorize_url: string }>("POST", "/oauth/start", signal, {
      ...choice(c),
      origin: location.origin,
    });
    const url = new URL(authorize_url);
    if (url.protocol !== "https:" && url.protocol !== "http:") {
      throw new ConnectApiError(0, "INTERNAL_ERROR", "The authorization URL is not http(s).");
    }
    popup.location.href = url.href;
    return waitForCallback(popup, serverOrigin, signal);
  });
  c.waiting = false;
  c.host.requestUpdate();
  if (!out) return popup.close();
  if ("error" in out) {
    popup.close();
    if (out.error instanceof PopupClosedError) {
      c.notify(t.popupClosed);
      return;
    }
    return c.fail(out.error, () => void startOAuth(c));
  }
  const message = out.value;
  if (message.status === "COMPLETED") return succeed(c, message);
  if (message.code === "OAUTH_DENIED") {
    c.emit("relink-error", { code: message.code as RelinkErrorCode, message: message.message });
    c.notify(t.oauthDenied(c.tool?.name ?? ""));
    return;
  }
  c.fail(new ConnectApiError(0, message.code as RelinkErrorCode, message.message, message.details), () =>
    c.go("credentials"),
  );
}

export function cancelOAuth(c: FlowController): void {
  c.requests.abort();
  c.waiting = false;
  c.say("");
}
