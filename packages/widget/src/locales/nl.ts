import type { Translation } from "./en.ts";

const nl: Translation = {
  lang: "nl",
  close: "Sluiten",
  cancel: "Annuleren",
  back: "Terug",
  continue: "Doorgaan",
  tryAgain: "Opnieuw proberen",
  loading: "Laden…",
  stepOf: (step, steps) => `Stap ${step} van ${steps}`,
  newLink: "Vraag degene die hem je heeft gestuurd om een nieuwe link.",

  introTitleRelink: (tool) => `${tool} opnieuw koppelen`,
  introTitleConnect: (tool) => (tool ? `${tool} koppelen` : "Je tool koppelen"),
  introLeadRelink: (organization, tool) => `De koppeling van ${organization} met ${tool} vraagt je aandacht.`,
  introLeadConnect: (organization, tool) =>
    `Koppel het ${tool ? `${tool}-account` : "account"} van ${organization}, zodat de gegevens kunnen worden gesynchroniseerd.`,
  introNewPermissions: (count) =>
    count === 1
      ? "Er is nu 1 machtiging meer nodig dan de huidige toegangsgegevens geven."
      : `Er zijn nu ${count} machtigingen meer nodig dan de huidige toegangsgegevens geven.`,
  introCredentials: "Voer nieuwe toegangsgegevens in om de gegevens gesynchroniseerd te houden.",
  introScope: (from, to) => `De gedeelde gegevens veranderen van ‘${from}’ naar ‘${to}’.`,
  introExpires: (date) => `Deze link is geldig tot ${date}.`,
  start: "Aan de slag",

  toolTitle: "Kies je tool",
  toolLead: (organization) => `Welk systeem gebruikt ${organization}?`,

  permissionsTitle: "Toe te kennen machtigingen",
  permissionsLead: (tool, count) =>
    count === 1
      ? `De toegangsgegevens hebben deze machtiging nodig in ${tool}:`
      : `De toegangsgegevens hebben deze ${count} machtigingen nodig in ${tool}:`,
  permissionsLeadOAuth: (tool, count) =>
    count === 1
      ? `${tool} vraagt je deze machtiging goed te keuren:`
      : `${tool} vraagt je deze ${count} machtigingen goed te keuren:`,
  newBadge: "Nieuw",
  whereToGrant: "Waar je deze toekent:",
  optionalTitle: "Optionele gegevens",
  optionalLead: "Vink uit wat je liever niet deelt.",

  credentialsTitle: (tool) => `Je toegangsgegevens voor ${tool}`,
  credentialsLead: (organization, tool) =>
    `Voer de toegangsgegevens in van het ${tool}-account van ${organization}.`,
  showSecret: (label) => `${label} tonen`,
  required: (label) => `${label} is verplicht.`,
  optionalField: "optioneel",
  submit: "Koppelen",
  oauthTitle: (tool) => `Aanmelden bij ${tool}`,
  oauthLead: (tool) => `Meld je in een nieuw venster aan bij ${tool} en keur de toegang goed.`,
  oauthButton: (tool) => `Doorgaan met ${tool}`,
  oauthWaiting: (tool) => `Rond het af in het venster van ${tool}…`,
  popupBlocked: "Het venster kon niet worden geopend. Sta pop-ups toe voor deze site en probeer het opnieuw.",
  popupClosed: "Het venster is gesloten voordat je klaar was. Probeer het opnieuw.",
  oauthDenied: (tool) =>
    `De toegang is niet goedgekeurd in ${tool}. Probeer het opnieuw en keur hem goed om door te gaan.`,

  checkingTitle: "Controleren…",
  checkingLead: (tool) => `De toegangsgegevens en machtigingen worden gecontroleerd bij ${tool}.`,

  successTitle: "Gekoppeld",
  successLead: (organization, tool) =>
    `Het ${tool}-account van ${organization} is gekoppeld. De synchronisatie begint nu.`,
  successAccountLead: (account, tool) =>
    `Het ${tool}-account ‘${account}’ is nu gekoppeld. De synchronisatie begint nu.`,
  accountAlreadyConnected: (tool, organization) =>
    `Dit ${tool}-account is al gekoppeld voor een andere organisatie. Is het niet het account van ${organization}? Meld je dan met het juiste account aan bij ${tool} en koppel opnieuw.`,
  done: "Klaar",

  invalidTitle: "Deze toegangsgegevens werken niet",
  invalidLead: (tool) => `${tool} heeft ze geweigerd. Controleer ze en probeer het opnieuw.`,
  missingTitle: (count) => (count === 1 ? "1 machtiging ontbreekt" : `${count} machtigingen ontbreken`),
  missingLead: (tool) => `De toegangsgegevens werken, maar ${tool} geeft niet alles wat nodig is. Ken toe:`,
  checkAgain: "Opnieuw controleren",
  otherCredentials: "Andere toegangsgegevens gebruiken",
  mismatchTitle: "Dit is een ander account",
  mismatchLead: (organization, tool) =>
    `Deze toegangsgegevens horen bij een ander ${tool}-account. Gebruik de toegangsgegevens van het account van ${organization}.`,
  expiredTitle: "Deze link is verlopen",
  expiredLead: "Voor je veiligheid zijn links beperkt geldig.",
  usedTitle: "Deze link is al gebruikt",
  usedLead: "Met elke link kun je maar één koppeling voltooien.",
  tokenTitle: "Deze link is ongeldig",
  tokenLead: "Hij is misschien onvolledig of ingetrokken.",
  unreachableTitle: (tool) => `${tool} is niet bereikbaar`,
  unreachableLead: "Er is niets gewijzigd. Probeer het zo opnieuw.",
  rateTitle: "Te veel pogingen",
  rateLead: "Wacht een minuut en probeer het dan opnieuw.",
  networkTitle: "Geen verbinding",
  networkLead: "De relink-server is niet bereikbaar. Controleer je verbinding en probeer het opnieuw.",
  genericTitle: "Er ging iets mis",
  genericLead: "Er is niets gewijzigd. Probeer het opnieuw.",

  confirmTitle: "Wat je hebt ingevoerd verwijderen?",
  confirmLead: "De ingevoerde toegangsgegevens gaan verloren.",
  keepEditing: "Verder bewerken",
  discard: "Verwijderen en sluiten",

  handoffAsked: (who, tool) =>
    `${who ?? "Een collega"} vraagt je ${tool ?? "deze tool"} opnieuw te koppelen, omdat daar een beheerder voor nodig is.`,
  supersededTitle: "Al opnieuw gekoppeld",
  supersededLead: (date) =>
    `Iemand anders heeft deze integratie op ${date} opnieuw gekoppeld. Je hoeft niets meer te doen.`,
  handoffButton: "Ik ben geen beheerder — stuur dit naar mijn beheerder",
  handoffTitle: "Naar je beheerder sturen",
  handoffLead: (organization, tool) =>
    `Maak een link voor een beheerder van het ${tool}-account van ${organization}. Die opent dezelfde aanvraag, met dezelfde machtigingen.`,
  handoffName: "Je naam of e-mailadres",
  handoffCreate: "Link maken",
  handoffDoneTitle: "Een link voor je beheerder",
  handoffDoneLead: (tool) =>
    `Stuur deze link naar je beheerder. Zodra die ${tool} opnieuw heeft gekoppeld, hoef jij niets meer te doen.`,
  handoffLink: "Link",
  handoffCopy: "Kopiëren",
  handoffCopied: "Link gekopieerd.",
  handoffCopyManual: "De link is geselecteerd: kopieer hem met je toetsenbord.",
  handoffExpires: (date) => `De link werkt tot ${date}.`,

  embedded: {
    introExpires: (date) => `Je hebt tot ${date} om het af te ronden.`,
    newLink: "Begin opnieuw om verder te gaan.",
    expiredTitle: "Deze sessie is verlopen",
    expiredLead: "Voor je veiligheid is elke sessie beperkt geldig.",
    usedTitle: "Deze sessie is al voltooid",
    usedLead: "Met elke sessie kun je maar één koppeling voltooien.",
    tokenTitle: "Deze sessie is ongeldig",
    tokenLead: "Ze is misschien onvolledig of ingetrokken.",
  },
};

export default nl;
