import enFirst from "./en-first.ts";
import enRest from "./en-rest.ts";

/**
 * The terms of the widget. Every locale is one object of this type, so a missing term is a type
 * error; terms that interpolate or pluralise are functions.
 */
export interface Translation {
  /** BCP 47 tag of these terms. */
  lang: string;
  close: string;
  cancel: string;
  back: string;
  continue: string;
  tryAgain: string;
  loading: string;
  stepOf: (step: number, steps: number) => string;
  newLink: string;

  introTitleRelink: (tool: string) => string;
  introTitleConnect: (tool: string | null) => string;
  introLeadRelink: (organization: string, tool: string) => string;
  introLeadConnect: (organization: string, tool: string | null) => string;
  introNewPermissions: (count: number) => string;
  introCredentials: string;
  introScope: (from: string, to: string) => string;
  introExpires: (date: string) => string;
  start: string;

  toolTitle: string;
  toolLead: (organization: string) => string;

  permissionsTitle: string;
  permissionsLead: (tool: string, count: number) => string;
  /** The lead of the permissions step for an OAuth tool: its consent screen asks for them. */
  permissionsLeadOAuth: (tool: string, count: number) => string;
  newBadge: string;
  whereToGrant: string;
  optionalTitle: string;
  optionalLead: string;

  credentialsTitle: (tool: string) => string;
  credentialsLead: (organization: string, tool: string) => string;
  showSecret: (label: string) => string;
  required: (label: string) => string;
  optionalField: string;
  submit: string;
  oauthTitle: (tool: string) => string;
  oauthLead: (tool: string) => string;
  oauthButton: (tool: string) => string;
  oauthWaiting: (tool: string) => string;
  popupBlocked: string;
  popupClosed: string;
  oauthDenied: (tool: string) => string;

  checkingTitle: string;
  checkingLead: (tool: string) => string;

  successTitle: string;
  successLead: (organization: string, tool: string) => string;
  /** The success lead naming the remote account actually connected (from the tool). */
  successAccountLead: (account: string, tool: string) => string;
  /** `ACCOUNT_ALREADY_CONNECTED`: the remote account is connected for another organisation too. */
  accountAlreadyConnected: (tool: string, organization: string) => string;
  done: string;

  invalidTitle: string;
  invalidLead: (tool: string) => string;
  missingTitle: (count: number) => string;
  missingLead: (tool: string) => string;
  checkAgain: string;
  otherCredentials: string;
  mismatchTitle: string;
  mismatchLead: (organization: string, tool: string) => string;
  expiredTitle: string;
  expiredLead: string;
  usedTitle: string;
  usedLead: string;
  tokenTitle: string;
  tokenLead: string;
  unreachableTitle: (tool: string) => string;
  unreachableLead: string;
  rateTitle: string;
  rateLead: string;
  networkTitle: string;
  networkLead: string;
  genericTitle: string;
  genericLead: string;

  confirmTitle: string;
  confirmLead: string;
  keepEditing: string;
  discard: string;

  /** Intro of a flow opened from a hand-off link: who asked this admin to do it. */
  handoffAsked: (requestedBy: string | null, tool: string | null) => string;
  /** `FLOW_SUPERSEDED`: someone else reconnected the integration; not an error. */
  supersededTitle: string;
  supersededLead: (date: string) => string;
  /** The credentials step's way out for those who cannot grant access: a link for their admin. */
  handoffButton: string;
  handoffTitle: string;
  handoffLead: (organization: string, tool: string) => string;
  handoffName: string;
  handoffCreate: string;
  handoffDoneTitle: string;
  handoffDoneLead: (tool: string) => string;
  handoffLink: string;
  handoffCopy: string;
  handoffCopied: string;
  handoffCopyManual: string;
  handoffExpires: (date: string) => string;

  /**
   * The terms that speak of a link, as they read in a product's page (the widget embedded there):
   * the end user received no link. The plain terms are for the relink server's own `/link` page.
   */
  embedded: Pick<
    Translation,
    | "introExpires"
    | "newLink"
    | "expiredTitle"
    | "expiredLead"
    | "usedTitle"
    | "usedLead"
    | "tokenTitle"
    | "tokenLead"
  >;
}

/** All of English, as one object like every other locale. */
const en: Translation = {
  ...enFirst,
  ...enRest,
  embedded: { ...enFirst.embedded, ...enRest.embedded },
};

export default en;
