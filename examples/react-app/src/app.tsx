import { useCallback, useEffect, useState } from "react";
import { RelinkConnect, type RelinkTheme } from "./relink-connect.tsx";

const THEME: RelinkTheme = {
  "--relink-accent": "#7c3aed",
  "--relink-radius": "14px",
  "--relink-font": "ui-rounded, system-ui, sans-serif",
};

interface Me {
  name: string;
  reconnect: { reasons: string[] } | null;
  integration: { id: string; state: string; auth: { status: string } } | null;
}

/** A settings page of the product: status, a Reconnect button, the flow in a themed modal. */
export function App({ fetchJson = defaultFetchJson }: { fetchJson?: typeof defaultFetchJson }) {
  const [server, setServer] = useState<string | null>(null);
  const [me, setMe] = useState<Me | null>(null);
  const [token, setToken] = useState<string | null>(null);
  const [open, setOpen] = useState(false);
  const [log, setLog] = useState<string[]>([]);
  const note = (line: string) => setLog((lines) => [...lines.slice(-9), line]);

  const [signedOut, setSignedOut] = useState(false);
  const refresh = useCallback(async () => {
    try {
      setMe(await fetchJson<Me>("GET", "/api/me"));
      setSignedOut(false);
    } catch {
      setSignedOut(true); // the demo backend's fake sign-in: a cookie naming the customer
    }
  }, [fetchJson]);
  const signIn = async () => {
    await fetchJson("POST", "/api/sign-in", { customer_id: "acme" });
    await refresh();
  };
  useEffect(() => {
    void fetchJson<{ relink_url: string }>("GET", "/api/config").then((c) => setServer(c.relink_url));
    void refresh();
  }, [fetchJson, refresh]);

  const reconnect = async () => {
    // The backend mints the token for the signed-in customer: the page never names an integration.
    setToken((await fetchJson<{ token: string }>("POST", "/api/relink-token")).token);
    setOpen(true);
  };

  return (
    <main style={{ fontFamily: "system-ui, sans-serif", maxWidth: 640, margin: "2rem auto" }}>
      <h1>Integrations</h1>
      {signedOut && (
        <button type="button" onClick={() => void signIn()}>
          Sign in as Acme Corp
        </button>
      )}
      {me?.integration ? (
        <p>
          {me.name}: <strong>{me.integration.state}</strong>, auth {me.integration.auth.status}
        </p>
      ) : (
        <p>{me ? `${me.name}: not connected` : "Loading…"}</p>
      )}
      {me?.reconnect && (
        <p role="alert">Your HR system needs to be reconnected ({me.reconnect.reasons.join(", ")}).</p>
      )}
      <button type="button" onClick={() => void reconnect()} disabled={!server}>
        {me?.integration ? "Reconnect" : "Connect"}
      </button>
      {server && (
        <RelinkConnect
          token={token}
          server={server}
          open={open}
          theme={THEME}
          onStep={({ step }) => note(`step: ${step}`)}
          onError={({ code }) => note(`error: ${code}`)}
          onExit={({ reason }) => {
            note(`exit: ${reason}`);
            setOpen(false);
          }}
          onSuccess={({ integration_id, scope_config_id }) => {
            note(`success: ${integration_id} on ${scope_config_id ?? "the default scope"}`);
            setOpen(false);
            void refresh();
          }}
        />
      )}
      <ol aria-label="Widget events">
        {log.map((line, i) => (
          <li key={`${i}-${line}`}>{line}</li>
        ))}
      </ol>
    </main>
  );
}

async function defaultFetchJson<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(path, {
    method,
    credentials: "same-origin",
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status}`);
  return (await response.json()) as T;
}
