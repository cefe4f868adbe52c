// The product's page: plain JavaScript, no framework. It asks its own backend for everything; the
// backend holds the relink API key and signing key, and mints flow tokens for the signed-in customer.

const $ = (id) => document.getElementById(id);
const flow = $("flow");

const config = await (await fetch("/api/config")).json();

// The widget comes from the relink server itself.
await import(`${config.relink_url}/widget/relink-widget.js`);
flow.server = config.relink_url;

const api = async (method, path, body) => {
  const response = await fetch(path, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const data = text ? JSON.parse(text) : null;
  if (!response.ok)
    throw Object.assign(new Error(data?.error ?? response.statusText), { status: response.status });
  return data;
};

const formatTime = (iso) => (iso ? new Date(iso).toLocaleTimeString() : "—");
const inSeconds = (iso) => Math.max(0, Math.round((new Date(iso).getTime() - Date.now()) / 1000));

// The fake sign-in.
const customers = (await api("GET", "/api/customers")).data;
$("customer").replaceChildren(...customers.map((c) => new Option(c.name, c.id)));
$("sign-in").addEventListener("submit", async (event) => {
  event.preventDefault();
  await api("POST", "/api/sign-in", { customer_id: $("customer").value });
  $("demo-status").textContent = "";
  $("new-key").hidden = true;
  await refresh();
  $("sign-out").focus();
});
$("sign-out").addEventListener("click", async () => {
  await api("POST", "/api/sign-out");
  $("demo-status").textContent = "";
  $("new-key").hidden = true;
  await refresh();
  $("customer").focus();
});

function renderSignIn() {
  $("choose-customer").hidden = me !== null;
  $("sign-in-button").hidden = me !== null;
  $("signed-in").hidden = me === null;
  $("sign-out").hidden = me === null;
  $("signed-in-name").textContent = me?.name ?? "";
}

let me = null;

function renderBanner() {
  const reasons = me?.reconnect?.reasons ?? [];
  $("banner").hidden = reasons.length === 0;
  if (reasons.length === 0) return;
  const tool = me.integration?.tool === "demo-hris-oauth" ? "Demo HR (OAuth)" : "Demo HR";
  if (reasons.includes("PAUSED")) {
    $("banner-title").textContent = `Syncing from ${tool} is paused`;
    $("banner-text").textContent =
      "Demo HR has rejected our access for too long. Reconnect to resume; your data and history are kept.";
  } else if (reasons.includes("AUTH_FAILING")) {
    const pausesAt = me.reconnect.pausesAt ?? me.integration?.auth?.pauses_at;
    $("banner-title").textContent = `${tool} stopped accepting our access`;
    $("banner-text").textContent = pausesAt
      ? `Reconnect before ${formatTime(pausesAt)} (in ${inSeconds(pausesAt)} s) or syncing will pause.`
      : "Reconnect to keep syncing.";
  } else {
    $("banner-title").textContent = "New data needs your permission";
    $("banner-text").textContent = "Peoplegraph now reads time off too. Reconnect to grant it.";
  }
  if (reasons.includes("NEW_PERMISSIONS") && !reasons.includes("PAUSED") && reasons.length > 1) {
    $("banner-text").textContent += " Reconnecting will also ask for access to time off.";
  }
}

function renderIntegration() {
  $("signed-out").hidden = me !== null;
  $("not-connected").hidden = me === null || me.integration !== null;
  $("integration").hidden = !me?.integration;
  const integration = me?.integration;
  if (!integration) {
    // Nothing of a previous customer stays in the page, shown or not.
    for (const id of ["state", "auth", "auth-detail", "scope", "last-sync", "next-sync"])
      $(id).textContent = "";
    $("records").replaceChildren();
    return;
  }
  $("state").textContent = integration.state;
  $("state").dataset.value = integration.state;
  $("auth").textContent = integration.auth.status;
  $("auth").dataset.value = integration.auth.status;
  $("auth-detail").textContent =
    integration.auth.status === "FAILING"
      ? `since ${formatTime(integration.auth.failing_since)}, ${integration.auth.failed_checks} failed check(s)` +
        (integration.auth.pauses_at ? `, pauses at ${formatTime(integration.auth.pauses_at)}` : "")
      : integration.auth.last_succeeded_at
        ? `last OK ${formatTime(integration.auth.last_succeeded_at)}`
        : "";
  const name = (id) => me.scope_names[id] ?? id ?? "workspace default";
  const wanted = me.target_scope_config_id;
  $("scope").textContent =
    !wanted || wanted === integration.scope_config_id
      ? name(integration.scope_config_id)
      : `${name(integration.scope_config_id)} (the product now wants: ${name(wanted)})`;
  const last = integration.last_sync;
  $("last-sync").textContent = last ? `${last.sync_state ?? "running"} at ${formatTime(last.ended_at)}` : "—";
  if (last && integration.synced && integration.synced.ended_at !== last.ended_at) {
    $("last-sync").textContent += ` (data below from ${formatTime(integration.synced.ended_at)})`;
  }
  const records = Object.entries(integration.synced?.records ?? {});
  $("records").replaceChildren(
    ...(records.length === 0
      ? [Object.assign(document.createElement("li"), { textContent: "none yet" })]
      : records.map(([model, count]) => {
          const li = document.createElement("li");
          li.dataset.model = model;
          li.textContent = `${model}: ${count}`;
          return li;
        })),
  );
  $("next-sync").textContent = integration.next_sync_at
    ? `${formatTime(integration.next_sync_at)}`
    : "none scheduled (paused)";
}

const scopeName = (id) => me?.scope_names?.[id] ?? id ?? "default";

/** The signed-in customer's events only: those of its integration, or naming it as the end user. */
const isMine = (event) =>
  me !== null &&
  ((me.integration !== null && [event.data.integration_id, event.data.id].includes(me.integration.id)) ||
    event.data.end_user?.origin_id === me.id);

function describe(event) {
  const d = event.data;
  switch (event.type) {
    case "integration-auth-status-changed":
      return `auth ${d.auth_status}${d.pauses_at ? `, pauses at ${formatTime(d.pauses_at)}` : ""}`;
    case "integration-state-changed":
      return `${d.previous_state} → ${d.state} (${d.reason})`;
    case "integration-relinked":
      return `scope ${scopeName(d.previous_scope_config_id)} → ${scopeName(d.scope_config_id)}`;
    case "sync-finished":
      return `${d.sync_state} (${d.trigger})`;
    case "integration-created":
      return `${d.tool} for ${d.end_user.organization_name}`;
    case "connection-flow-failed":
      return d.reason;
    default:
      return "";
  }
}

/**
 * Newest first, consecutive identical sync events as one line with a count: a sync every few
 * seconds would otherwise push everything else out of the list.
 */
function groupWebhooks(received, showSyncs) {
  const groups = [];
  for (const { received_at, event } of received) {
    if (event.type === "sync-finished" && !showSyncs) continue;
    const text = describe(event);
    const last = groups.at(-1);
    if (last && event.type === "sync-finished" && last.type === event.type && last.text === text) {
      last.count += 1;
      last.received_at = received_at;
    } else {
      groups.push({ type: event.type, text, count: 1, first_at: received_at, received_at });
    }
  }
  return groups.slice(-30).reverse();
}

async function refreshWebhooks() {
  const { received, refused } = await api("GET", "/debug/webhooks");
  $("refused").textContent = String(refused.length);
  const mine = received.filter(({ event }) => isMine(event));
  $("webhooks").replaceChildren(
    ...groupWebhooks(mine, $("show-syncs").checked).map((group) => {
      const li = document.createElement("li");
      li.dataset.type = group.type;
      const type = document.createElement("code");
      type.textContent = group.type;
      li.append(`${formatTime(group.received_at)} `, type, ` ${group.text}`);
      if (group.count > 1) {
        const count = document.createElement("span");
        count.className = "count";
        count.textContent = ` × ${group.count}`;
        li.title = `${group.count} in a row, from ${formatTime(group.first_at)} to ${formatTime(group.received_at)}`;
        li.append(count);
      }
      return li;
    }),
  );
}
$("show-syncs").addEventListener("change", () => void refreshWebhooks());

async function refresh() {
  try {
    me = await api("GET", "/api/me");
  } catch (error) {
    if (error.status !== 401) throw error;
    me = null;
  }
  if (me) $("customer").value = me.id;
  renderSignIn();
  $("demo").hidden = !(config.demo && me);
  renderBanner();
  renderIntegration();
  await refreshWebhooks();
}

// #region reconnect
// Reconnect (or connect): a fresh token from our backend for the signed-in customer, then the widget.
async function openFlow() {
  const { token } = await api("POST", "/api/relink-token");
  flow.token = token;
  flow.show();
}
$("reconnect").addEventListener("click", openFlow);
$("connect").addEventListener("click", openFlow);
flow.addEventListener("relink-success", async (event) => {
  const done = event.detail.flow === "connect" ? "Connected" : "Reconnected";
  $("demo-status").textContent = `${done}: ${event.detail.integration_id}.`;
  await refresh();
});
// #endregion reconnect

// The demo's buttons.
const demo = (label, method, path, body) => async () => {
  $("demo-status").textContent = `${label}…`;
  try {
    const answer = await api(method, path, body);
    $("demo-status").textContent = `${label}: done.`;
    return answer;
  } catch (error) {
    $("demo-status").textContent = `${label}: ${error.message}`;
  } finally {
    await refresh();
  }
};
$("revoke").addEventListener("click", demo("Revoking the key in Demo HR", "POST", "/demo/revoke"));
$("outage").addEventListener(
  "click",
  demo("Starting a Demo HR outage", "POST", "/demo/outage", { seconds: 30 }),
);
$("expand").addEventListener("click", demo("Expanding the scope", "POST", "/demo/expand-scope"));
$("sync").addEventListener("click", demo("Syncing", "POST", "/demo/sync"));
const makeKey = (permissions) => async () => {
  const answer = await demo("Making a key in Demo HR", "POST", "/demo/hris-keys", { permissions })();
  if (answer?.key) {
    $("new-key").hidden = false;
    $("new-key-value").textContent = answer.key;
  }
};
$("key-basic").addEventListener("click", makeKey(["employees:read"]));
$("key-expanded").addEventListener("click", makeKey(["employees:read", "time_off:read"]));

await refresh();
setInterval(() => void refresh().catch(() => {}), 1000);
