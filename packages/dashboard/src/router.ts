/** The dashboard's pages, parsed from `location` below the `/dashboard/` base. */
export type Route =
  | { page: "integrations"; query: URLSearchParams }
  | { page: "integration"; id: string }
  | { page: "scope-configs" }
  | { page: "scope-config"; id: string | null }
  | { page: "webhooks" }
  | { page: "settings" }
  | { page: "not-found"; path: string };

export const BASE = "/dashboard/";

export function parseRoute(url: URL): Route {
  const path = url.pathname.startsWith(BASE) ? url.pathname.slice(BASE.length) : "";
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  const [first, second] = parts;
  if (parts.length === 0 || (first === "integrations" && parts.length === 1)) {
    return { page: "integrations", query: url.searchParams };
  }
  if (first === "integrations" && second && parts.length === 2) return { page: "integration", id: second };
  if (first === "scope-configs" && parts.length === 1) return { page: "scope-configs" };
  if (first === "scope-configs" && second && parts.length === 2) {
    return { page: "scope-config", id: second === "new" ? null : second };
  }
  if (first === "webhooks" && parts.length === 1) return { page: "webhooks" };
  if (first === "settings" && parts.length === 1) return { page: "settings" };
  return { page: "not-found", path: url.pathname };
}

/** A dashboard URL, e.g. `href("integrations", id)`. */
export function href(...parts: string[]): string {
  return BASE + parts.map(encodeURIComponent).join("/");
}

/** Moves to a dashboard URL without reloading (the app listens for `popstate`). */
export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (options.replace) history.replaceState(null, "", to);
  else history.pushState(null, "", to);
  window.dispatchEvent(new PopStateEvent("popstate"));
}
