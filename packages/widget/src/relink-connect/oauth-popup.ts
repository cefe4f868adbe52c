import type { OAuthCallbackMessage } from "./types.ts";

/** The end user closed the popup before finishing. */
export class PopupClosedError extends Error {
  override name = "PopupClosedError";
}

/** Opens the popup at once, in the click's task, so that pop-up blockers let it through. */
export function openPopup(): Window | null {
  const width = 520;
  const height = 680;
  const left = Math.max(0, window.screenX + (window.outerWidth - width) / 2);
  const top = Math.max(0, window.screenY + (window.outerHeight - height) / 2);
  return window.open(
    "about:blank",
    "relink-oauth",
    `popup,width=${width},height=${height},left=${left},top=${top}`,
  );
}

/**
 * Waits for the OAuth callback page's message. Only a message from the relink server's origin,
 * sent by this very popup, with `type: "relink:oauth"` is accepted. A closed popup rejects with
 * `PopupClosedError`; aborting closes the popup.
 */
export function waitForCallback(
  popup: Window,
  serverOrigin: string,
  signal: AbortSignal,
): Promise<OAuthCallbackMessage> {
  return new Promise((resolve, reject) => {
    const done = () => {
      window.removeEventListener("message", onMessage);
      clearInterval(poll);
      signal.removeEventListener("abort", onAbort);
    };
    const onMessage = (event: MessageEvent) => {
      if (event.origin !== serverOrigin || event.source !== popup) return;
      const data = event.data as OAuthCallbackMessage | null;
      if (data?.type !== "relink:oauth") return;
      done();
      popup.close();
      resolve(data);
    };
    const onAbort = () => {
      done();
      popup.close();
      reject(signal.reason);
    };
    const poll = setInterval(() => {
      if (!popup.closed) return;
      done();
      reject(new PopupClosedError("The window was closed."));
    }, 400);
    window.addEventListener("message", onMessage);
    signal.addEventListener("abort", onAbort);
  });
}
