import type { OAuthCallbackMessage } from "@relink/sdk/contract";
import { WIDGET_SCRIPT_PATH } from "./widget.ts";

/**
 * The server's few HTML pages: the hosted flow (`/link`) and the OAuth callback. No inline script
 * on `/link` (its CSP allows only same-origin scripts); the callback's one inline script carries a
 * per-response nonce.
 */

/** CSP of the hosted page: the widget and `/link.js` from this origin, API calls to this origin only. */
export const HOSTED_PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

export const callbackCsp = (nonce: string) =>
  `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'`;

export const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch] ?? ch,
  );

/** JSON safe inside a `<script>` element: no `</script>`, no HTML comment openers, no line separators. */
const scriptJson = (value: unknown) =>
  JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");

const STYLE = `
  :root { color-scheme: light dark; font-family: system-ui, -apple-system, "Segoe UI", sans-serif; }
  body { margin: 0; background: Canvas; color: CanvasText; }
  main { max-width: 40rem; margin: 0 auto; padding: 2rem 1rem; }
  h1 { font-size: 1.25rem; }
`;

function page(title: string, body: string, head = ""): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex">
<link rel="icon" href="data:,">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
${head}
</head>
<body>
${body}
</body>
</html>
`;
}

/** `/link`: loads the widget and `/link.js`, which reads the token from the fragment. */
export function hostedPage(): string {
  return page(
    "Reconnect your account",
    `<main id="relink"><noscript>This page needs JavaScript to reconnect your account.</noscript></main>`,
    `<script type="module" src="${WIDGET_SCRIPT_PATH}"></script>
<script type="module" src="/link.js"></script>`,
  );
}

/** `/link` when the widget has not been built. */
export function widgetMissingPage(): string {
  return page(
    "Temporarily unavailable",
    `<main><h1>This page is temporarily unavailable</h1>
<p>The relink widget has not been built on this server. The operator can build it with
<code>pnpm --filter @relink/widget build</code> (it is served from <code>packages/widget/dist/relink-widget.js</code>).</p></main>`,
  );
}

/**
 * `/link.js`: takes the token out of the fragment (and out of the address bar and history at
 * once), then shows `<relink-connect mode="inline">` for it. The token never reaches the server
 * in a URL, so it never appears in a request log.
 */
export const HOSTED_PAGE_SCRIPT = `const params = new URLSearchParams(location.hash.slice(1));
const token = params.get("token");
history.replaceState(null, "", location.pathname + location.search);
const main = document.getElementById("relink");
if (!token) {
  main.textContent = "This link is incomplete. Open the whole link you received, or ask for a new one.";
} else {
  let locale = null;
  try {
    const payload = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    locale = JSON.parse(atob(payload)).locale ?? null;
  } catch {}
  customElements.whenDefined("relink-connect").then(() => {
    const element = document.createElement("relink-connect");
    element.setAttribute("mode", "inline");
    element.setAttribute("server", location.origin);
    if (locale) element.setAttribute("locale", locale);
    element.token = token;
    main.replaceChildren(element);
  });
}
`;

/**
 * The OAuth callback page: reports to the opener, at exactly `targetOrigin`, and closes. Without
 * an origin to report to (unknown sign-in), it only shows the outcome.
 */
export function oauthCallbackPage(
  message: OAuthCallbackMessage,
  targetOrigin: string | null,
  nonce: string,
): string {
  const ok = message.status === "COMPLETED";
  const title = ok ? "Connected" : "Could not connect";
  const text = ok
    ? "You can close this window and go back to the page you came from."
    : `${message.message} Close this window and try again from the page you came from.`;
  const script =
    targetOrigin === null
      ? ""
      : `<script nonce="${nonce}">
(() => {
  const message = ${scriptJson(message)};
  const origin = ${scriptJson(targetOrigin)};
  if (window.opener) {
    window.opener.postMessage(message, origin);
    window.close();
  }
})();
</script>`;
  return page(title, `<main><h1>${escapeHtml(title)}</h1><p>${escapeHtml(text)}</p></main>\n${script}`);
}
