import type { Translation } from "./en.ts";
import type { FirstEmbeddedKey, FirstKey } from "./en-first.ts";

export type RestTerms = Omit<Translation, FirstKey | "embedded"> & {
  embedded: Omit<Translation["embedded"], FirstEmbeddedKey>;
};

/** English for the views after the intro: it comes with their chunk (`views/steps.ts`). */
const enRest: RestTerms = {
  back: "Back",
  continue: "Continue",
  tryAgain: "Try again",
  newLink: "Ask whoever sent it to you for a new link.",

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
  genericTitle: "Something went wrong",
  genericLead: "Nothing was changed. Try again.",

  confirmTitle: "Discard what you typed?",
  confirmLead: "The credentials you entered will be lost.",
  keepEditing: "Keep editing",
  discard: "Discard and close",

  supersededTitle: "Already reconnected",
  supersededLead: (date) => `Someone else reconnected this integration on ${date}. Nothing more to do.`,
  handoffButton: "I’m not an admin — send this to my admin",
  handoffTitle: "Send this to your admin",
  handoffLead: (organization, tool) =>
    `Get a link for an admin of ${organization}’s ${tool} account. It opens this same request, with the same permissions.`,
  handoffName: "Your name or email",
  handoffCreate: "Create link",
  handoffDoneTitle: "A link for your admin",
  handoffDoneLead: (tool) =>
    `Send this link to your admin. Once they reconnect ${tool}, nothing more is needed from you.`,
  handoffLink: "Link",
  handoffCopy: "Copy",
  handoffCopied: "Link copied.",
  handoffCopyManual: "The link is selected: copy it with your keyboard.",
  handoffExpires: (date) => `The link works until ${date}.`,
  embedded: {
    newLink: "Start again to continue.",
    expiredTitle: "This session has expired",
    expiredLead: "For your security, each session is valid for a limited time.",
    usedTitle: "This session is already complete",
    usedLead: "Each session can complete one connection only.",
    tokenTitle: "This session is not valid",
    tokenLead: "It may be incomplete or revoked.",
  },
};

export default enRest;
