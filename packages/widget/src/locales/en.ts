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

const en: Translation = {
  lang: "en",
  close: "Close",
  cancel: "Cancel",
  back: "Back",
  continue: "Continue",
  tryAgain: "Try again",
  loading: "Loading…",
  stepOf: (step, steps) => `Step ${step} of ${steps}`,
  newLink: "Ask whoever sent it to you for a new link.",

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

  toolTitle: "Choose your tool",
  toolLead: (organization) => `Which system does ${organization} use?`,

  permissionsTitle: "Permissions to grant",
  permissionsLead: (tool, count) =>
    count === 1
      ? `The credentials need this permission in ${tool}:`
      : `The credentials need these ${count} permissions in ${tool}:`,
  newBadge: "New",
  permissionsLeadOAuth: (tool, count) =>
    count === 1
      ? `${tool} will ask you to approve this permission:`
      : `${tool} will ask you to approve these ${count} permissions:`,
  whereToGrant: "Where to grant it:",
  optionalTitle: "Optional data",
  optionalLead: "Uncheck what you prefer not to share.",

  credentialsTitle: (tool) => `Your ${tool} credentials`,
  credentialsLead: (organization, tool) => `Enter the credentials of ${organization}'s ${tool} account.`,
  showSecret: (label) => `Show ${label}`,
  required: (label) => `${label} is required.`,
  optionalField: "optional",
  submit: "Connect",
  oauthTitle: (tool) => `Sign in to ${tool}`,
  oauthLead: (tool) => `Sign in to ${tool} in a new window and approve the access.`,
  oauthButton: (tool) => `Continue with ${tool}`,
  oauthWaiting: (tool) => `Finish in the ${tool} window…`,
  popupBlocked: "The window could not open. Allow pop-ups for this site and try again.",
  popupClosed: "The window was closed before you finished. Try again.",
  oauthDenied: (tool) => `Access was not approved in ${tool}. Try again and approve it to continue.`,

  checkingTitle: "Checking…",
  checkingLead: (tool) => `Checking the credentials and permissions with ${tool}.`,

  successTitle: "Connected",
  successLead: (organization, tool) => `${organization}'s ${tool} account is connected. Syncing starts now.`,
  successAccountLead: (account, tool) =>
    `The ${tool} account “${account}” is now connected. Syncing starts now.`,
  accountAlreadyConnected: (tool, organization) =>
    `This ${tool} account is already connected for another organisation. If it is not ${organization}'s account, sign in to ${tool} with the right account and connect again.`,
  done: "Done",

  invalidTitle: "These credentials did not work",
  invalidLead: (tool) => `${tool} refused them. Check them and try again.`,
  missingTitle: (count) => (count === 1 ? "1 permission is missing" : `${count} permissions are missing`),
  missingLead: (tool) => `The credentials work, but ${tool} does not grant everything needed. Grant:`,
  checkAgain: "Check again",
  otherCredentials: "Use other credentials",
  mismatchTitle: "This is another account",
  mismatchLead: (organization, tool) =>
    `These credentials belong to another ${tool} account. Use the credentials of ${organization}'s account.`,
  expiredTitle: "This link has expired",
  expiredLead: "For your security, links are valid for a limited time.",
  usedTitle: "This link was already used",
  usedLead: "Each link can complete one connection only.",
  tokenTitle: "This link is not valid",
  tokenLead: "It may be incomplete or revoked.",
  unreachableTitle: (tool) => `${tool} could not be reached`,
  unreachableLead: "Nothing was changed. Try again in a moment.",
  rateTitle: "Too many attempts",
  rateLead: "Wait a minute, then try again.",
  networkTitle: "No connection",
  networkLead: "The relink server could not be reached. Check your connection and try again.",
  genericTitle: "Something went wrong",
  genericLead: "Nothing was changed. Try again.",

  confirmTitle: "Discard what you typed?",
  confirmLead: "The credentials you entered will be lost.",
  keepEditing: "Keep editing",
  discard: "Discard and close",

  embedded: {
    introExpires: (date) => `You have until ${date} to finish.`,
    newLink: "Start again to continue.",
    expiredTitle: "This session has expired",
    expiredLead: "For your security, each session is valid for a limited time.",
    usedTitle: "This session is already complete",
    usedLead: "Each session can complete one connection only.",
    tokenTitle: "This session is not valid",
    tokenLead: "It may be incomplete or revoked.",
  },
};

export default en;
