import type { Translation } from "./en.ts";

/**
 * The keys of the first view: the frame, the loading state and the intro. The rest of English
 * comes with the later views' chunk.
 */
export type FirstKey =
  | "lang"
  | "close"
  | "loading"
  | "networkLead"
  | "cancel"
  | "stepOf"
  | "introTitleRelink"
  | "introTitleConnect"
  | "introLeadRelink"
  | "introLeadConnect"
  | "introNewPermissions"
  | "introCredentials"
  | "introScope"
  | "introExpires"
  | "start"
  | "handoffAsked";

/** The embedded terms of the first view (the rest come with the later views). */
export type FirstEmbeddedKey = "introExpires";

export type FirstTerms = Pick<Translation, FirstKey> & {
  embedded: Pick<Translation["embedded"], FirstEmbeddedKey>;
};

/** English for the drop-in module: what the frame, the loading state and the intro say. */
const enFirst: FirstTerms = {
  lang: "en",
  close: "Close",
  loading: "Loading…",
  networkLead: "The relink server could not be reached. Check your connection and try again.",
  cancel: "Cancel",
  stepOf: (step, steps) => `Step ${step} of ${steps}`,
  introTitleRelink: (tool) => `Reconnect ${tool}`,
  introTitleConnect: (tool) => (tool ? `Connect ${tool}` : "Connect your tool"),
  introLeadRelink: (organization, tool) => `${organization}'s connection to ${tool} needs your attention.`,
  introLeadConnect: (organization, tool) =>
    `Connect ${organization}'s ${tool ? `${tool} account` : "account"} so that its data can be synced.`,
  introNewPermissions: (count) =>
    count === 1
      ? "It now needs 1 more permission than the current credentials grant."
      : `It now needs ${count} more permissions than the current credentials grant.`,
  introCredentials: "Enter new credentials to keep the data in sync.",
  introScope: (from, to) => `The data shared changes from “${from}” to “${to}”.`,
  introExpires: (date) => `This link is valid until ${date}.`,
  start: "Get started",
  handoffAsked: (who, tool) =>
    `${who ?? "A colleague"} asked you to reconnect ${tool ?? "this tool"}, as it needs an admin.`,
  embedded: {
    introExpires: (date) => `You have until ${date} to finish.`,
  },
};

export default enFirst;
