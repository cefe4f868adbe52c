import type { Translation } from "../locales/en.ts";
import { type ConnectApi, connectApi } from "./connect-api.ts";
import { LocaleController, supportedLocale } from "./localize.ts";
import type { RelinkConnect } from "./relink-connect.ts";
import { RequestController } from "./requests.ts";
import { loadSteps, type Steps } from "./steps-loader.ts";
import type {
  ConnectTool,
  FlowWarning,
  HandoffLink,
  RelinkErrorCode,
  RelinkEventMap,
  RemoteAccount,
  View,
  WidgetFlow,
} from "./types.ts";
import { afterTool } from "./views/flow-steps.ts";

export interface Problem {
  code: RelinkErrorCode;
  details?: unknown;
  /** What "Try again" does; absent when only a new link helps. */
  retry?: () => void;
}

/**
 * The views the drop-in module renders itself; every other view comes with the steps chunk
 * (`steps-loader.ts`), fetched once the intro has rendered: the intro never waits for it, and it
 * is in before the end user can click on.
 */
const FIRST: readonly View[] = ["loading", "intro"];

/**
 * The flow's state machine: what is shown (`view`), what the end user typed and chose, and every
 * transition — load, go to a step, fail, succeed, be superseded, close. The views read it and call
 * its methods; it tells the host to re-render. Credential values live only here (`values`), never
 * in an attribute, event, URL, storage or log.
 */
export class FlowController {
  readonly host: RelinkConnect;
  readonly i18n: LocaleController;
  readonly requests: RequestController;
  api?: ConnectApi;
  serverUrl = "";
  /** The server and token of the running flow ("" when none runs). */
  running = "";
  flow?: WidgetFlow;
  tools?: ConnectTool[];
  picked?: string;
  view: View = "loading";
  problem?: Problem;
  note = "";
  announce = "";
  confirming = false;
  dismissed = false;
  completed = false;
  /** What the completed flow reported: the remote account connected and any warnings. */
  outcome?: { remote_account?: RemoteAccount; warnings?: FlowWarning[] };
  /** When someone else reconnected this integration (`FLOW_SUPERSEDED`). */
  supersededAt?: string;
  /** The link created for the end user's admin, and who asked for it (typed in the hand-off form). */
  handoff?: HandoffLink;
  requestedBy = "";
  waiting = false;
  values = new Map<string, string>();
  revealed = new Set<string>();
  fieldErrors = new Map<string, string>();
  optedOut = new Set<string>();
  /** The views after the first, once their chunk is in. */
  steps?: Steps;
  #generation = 0;

  constructor(host: RelinkConnect) {
    this.host = host;
    this.i18n = new LocaleController(host);
    this.requests = new RequestController(host);
  }

  get modal(): boolean {
    return this.host.mode !== "inline";
  }

  get visible(): boolean {
    return this.modal ? this.host.open : !this.dismissed;
  }

  get tool(): ConnectTool | null {
    return this.flow?.tool ?? this.tools?.find((t) => t.id === this.picked) ?? null;
  }

  /** On the relink server's own page (`/link`, opened from a link it sent), the terms speak of that link. */
  get t(): Translation {
    const t = this.i18n.terms;
    return location.origin + location.pathname === `${this.serverUrl}/link` ? t : { ...t, ...t.embedded };
  }

  /** Starts or restarts the flow when the server, the token or the visibility changed. */
  sync(): void {
    const host = this.host;
    // The flow starts once connected, asked to start (modal: open; inline: not hidden) and given a
    // token; until then it waits, without an error.
    const key = this.visible && host.isConnected && host.token ? `${host.server}\n${host.token}` : "";
    if (key === this.running) return;
    this.reset();
    this.running = key;
    if (!key) return;
    this.serverUrl = (host.server || location.origin).replace(/\/+$/, "");
    this.api = connectApi(this.serverUrl, host.token);
    void this.i18n.use([host.locale]);
    void this.load();
  }

  reset(): void {
    this.requests.abort();
    this.#generation++;
    this.running = "";
    this.flow = this.tools = this.picked = this.problem = this.outcome = undefined;
    this.supersededAt = this.handoff = undefined;
    this.view = "loading";
    this.note = this.announce = this.requestedBy = "";
    this.confirming = this.completed = this.waiting = false;
    this.values.clear();
    this.revealed.clear();
    this.fieldErrors.clear();
    this.optedOut.clear();
  }

  async load(tool?: string): Promise<void> {
    const api = this.api!;
    const needsTools = !tool && !this.tools;
    this.go("loading");
    const out = await this.requests.run(async (signal) => {
      const flow = await api.flow(signal, tool, this.labelLocale());
      const tools = !flow.tool && needsTools ? (await api.tools(signal)).data : undefined;
      // The flow's locale is known only now: load its terms before the first paint of the intro.
      await this.i18n.use([this.host.locale, flow.locale]);
      return { flow, tools };
    });
    if (!out) return;
    if ("error" in out) return this.fail(out.error, () => void this.load(tool));
    this.flow = out.value.flow;
    if (out.value.tools) this.tools = out.value.tools;
    this.go(tool ? afterTool(this) : "intro");
    this.#prefetch();
  }

  /**
   * Fetches the later views once the shown view has rendered: the first view never waits for
   * them, and they are in before a click needs them. A failure here is silent; the next view
   * asked for tries again and says so if it fails (`#withSteps`).
   */
  #prefetch(): void {
    if (this.steps) return;
    void this.host.updateComplete
      .then(() => loadSteps())
      .then(
        (steps) => this.#ready(steps),
        () => {},
      );
  }

  /** The `locale` attribute, when it names a supported locale: the tool's labels come in it too. */
  labelLocale(): string | undefined {
    return supportedLocale(this.host.locale);
  }

  /**
   * Shows a view (and announces it with `relink-step`), focusing its first field or its heading.
   * Once the flow loaded, the steps chunk is in; before (an error, say) the view waits for it.
   */
  go(view: View, focus = view === "credentials"): void {
    if (!this.steps && !FIRST.includes(view)) {
      this.#withSteps(() => this.go(view, focus));
      return;
    }
    if (view === "error" && this.steps) this.announce = this.steps.errorTitle(this);
    const host = this.host;
    const hadFocus = host.matches(":focus-within") || this.modal;
    this.view = view;
    this.confirming = false;
    host.requestUpdate();
    if (view !== "loading") this.emit("relink-step", { step: view });
    if (!hadFocus) return;
    void host.updateComplete.then(() => {
      const input = focus && host.renderRoot.querySelector<HTMLInputElement>("[part~=input]");
      if (input) {
        input.focus();
        input.select();
      } else this.focus("[part~=title]");
    });
  }

  /** Runs `then` once the later views' chunk is in (at once when it is), unless the flow restarted meanwhile. */
  #withSteps(then: (steps: Steps) => void): void {
    if (this.steps) {
      then(this.steps);
      return;
    }
    const generation = this.#generation;
    loadSteps().then(
      (steps) => {
        this.#ready(steps);
        if (generation === this.#generation) then(steps);
      },
      () => {
        if (generation !== this.#generation) return;
        // Without the chunk nothing more can be shown: say so where the heading is.
        this.emit("relink-error", { code: "NETWORK_ERROR", message: "The widget could not load." });
        this.notify(this.t.networkLead);
      },
    );
  }

  #ready(steps: Steps): void {
    this.steps = steps;
    steps.adopt(this.host);
  }

  focus(selector: string): void {
    this.host.renderRoot.querySelector<HTMLElement>(selector)?.focus();
  }

  emit<K extends keyof RelinkEventMap>(type: K, detail: RelinkEventMap[K]["detail"]): void {
    this.host.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }

  /** Shows a message above the form and announces it. */
  notify(text: string): void {
    this.note = text;
    this.say(text);
  }

  say(text: string): void {
    this.announce = text;
    this.host.requestUpdate();
  }

  /** A request failed: the error view (or the form, or the superseded view) says what next. */
  fail(error: unknown, retry?: () => void): void {
    this.#withSteps((steps) => steps.fail(this, error, retry));
  }

  /** The date (and time) of an ISO timestamp, in the terms' language. */
  date(iso: string): string {
    return new Intl.DateTimeFormat(this.t.lang, { dateStyle: "medium", timeStyle: "short" }).format(
      new Date(iso),
    );
  }

  /**
   * The × button, Escape, the backdrop and Cancel: asks first when credentials were typed (they
   * are typed in the later views, so the asking comes with them: `steps.askBeforeClose`).
   */
  requestClose = (): void => {
    if (this.steps?.askBeforeClose(this)) return;
    const reason = this.view === "error" && this.problem ? this.problem.code : "USER_CANCELLED";
    this.close(reason);
  };

  close(reason: string): void {
    if (!this.visible) return;
    if (!this.completed && this.running) {
      const view = this.view;
      const step =
        view === "loading" || view === "superseded" ? "intro" : view === "handoff" ? "credentials" : view;
      this.emit("relink-exit", { step, reason });
      if (this.host.token) void this.api?.exit({ step, reason });
    }
    this.dismissed = true;
    this.host.open = false;
    this.host.requestUpdate();
  }
}
