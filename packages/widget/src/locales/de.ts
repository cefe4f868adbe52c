import type { Translation } from "./en.ts";

const de: Translation = {
  lang: "de",
  close: "Schließen",
  cancel: "Abbrechen",
  back: "Zurück",
  continue: "Weiter",
  tryAgain: "Erneut versuchen",
  loading: "Wird geladen…",
  stepOf: (step, steps) => `Schritt ${step} von ${steps}`,
  newLink: "Bitten Sie die Person, die ihn Ihnen geschickt hat, um einen neuen Link.",

  introTitleRelink: (tool) => `${tool} erneut verbinden`,
  introTitleConnect: (tool) => (tool ? `${tool} verbinden` : "Ihr Tool verbinden"),
  introLeadRelink: (organization, tool) =>
    `Die Verbindung von ${organization} mit ${tool} benötigt Ihre Aufmerksamkeit.`,
  introLeadConnect: (organization, tool) =>
    `Verbinden Sie das ${tool ? `${tool}-Konto` : "Konto"} von ${organization}, damit die Daten synchronisiert werden können.`,
  introNewPermissions: (count) =>
    count === 1
      ? "Sie benötigt jetzt 1 Berechtigung mehr, als die aktuellen Zugangsdaten gewähren."
      : `Sie benötigt jetzt ${count} Berechtigungen mehr, als die aktuellen Zugangsdaten gewähren.`,
  introCredentials: "Geben Sie neue Zugangsdaten ein, damit die Daten weiter synchronisiert werden.",
  introScope: (from, to) => `Die geteilten Daten ändern sich von „${from}“ zu „${to}“.`,
  introExpires: (date) => `Dieser Link ist gültig bis ${date}.`,
  start: "Los geht’s",

  toolTitle: "Wählen Sie Ihr Tool",
  toolLead: (organization) => `Welches System nutzt ${organization}?`,

  permissionsTitle: "Zu erteilende Berechtigungen",
  permissionsLead: (tool, count) =>
    count === 1
      ? `Die Zugangsdaten benötigen diese Berechtigung in ${tool}:`
      : `Die Zugangsdaten benötigen diese ${count} Berechtigungen in ${tool}:`,
  permissionsLeadOAuth: (tool, count) =>
    count === 1
      ? `${tool} wird Sie bitten, diese Berechtigung zu erteilen:`
      : `${tool} wird Sie bitten, diese ${count} Berechtigungen zu erteilen:`,
  newBadge: "Neu",
  whereToGrant: "Wo Sie sie erteilen:",
  optionalTitle: "Optionale Daten",
  optionalLead: "Entfernen Sie das Häkchen bei allem, was Sie nicht teilen möchten.",

  credentialsTitle: (tool) => `Ihre Zugangsdaten für ${tool}`,
  credentialsLead: (organization, tool) =>
    `Geben Sie die Zugangsdaten des ${tool}-Kontos von ${organization} ein.`,
  showSecret: (label) => `${label} anzeigen`,
  required: (label) => `${label} ist erforderlich.`,
  optionalField: "optional",
  submit: "Verbinden",
  oauthTitle: (tool) => `Bei ${tool} anmelden`,
  oauthLead: (tool) => `Melden Sie sich in einem neuen Fenster bei ${tool} an und erlauben Sie den Zugriff.`,
  oauthButton: (tool) => `Weiter mit ${tool}`,
  oauthWaiting: (tool) => `Schließen Sie den Vorgang im ${tool}-Fenster ab…`,
  popupBlocked:
    "Das Fenster konnte nicht geöffnet werden. Erlauben Sie Pop-ups für diese Website und versuchen Sie es erneut.",
  popupClosed: "Das Fenster wurde geschlossen, bevor Sie fertig waren. Versuchen Sie es erneut.",
  oauthDenied: (tool) =>
    `Der Zugriff wurde in ${tool} nicht erlaubt. Versuchen Sie es erneut und erlauben Sie ihn, um fortzufahren.`,

  checkingTitle: "Wird geprüft…",
  checkingLead: (tool) => `Zugangsdaten und Berechtigungen werden bei ${tool} geprüft.`,

  successTitle: "Verbunden",
  successLead: (organization, tool) =>
    `Das ${tool}-Konto von ${organization} ist verbunden. Die Synchronisierung beginnt jetzt.`,
  successAccountLead: (account, tool) =>
    `Das ${tool}-Konto „${account}“ ist jetzt verbunden. Die Synchronisierung beginnt jetzt.`,
  accountAlreadyConnected: (tool, organization) =>
    `Dieses ${tool}-Konto ist bereits für eine andere Organisation verbunden. Wenn es nicht das Konto von ${organization} ist, melden Sie sich bei ${tool} mit dem richtigen Konto an und verbinden Sie erneut.`,
  done: "Fertig",

  invalidTitle: "Diese Zugangsdaten funktionieren nicht",
  invalidLead: (tool) => `${tool} hat sie abgelehnt. Prüfen Sie sie und versuchen Sie es erneut.`,
  missingTitle: (count) => (count === 1 ? "1 Berechtigung fehlt" : `${count} Berechtigungen fehlen`),
  missingLead: (tool) =>
    `Die Zugangsdaten funktionieren, aber ${tool} gewährt nicht alles Nötige. Erteilen Sie:`,
  checkAgain: "Erneut prüfen",
  otherCredentials: "Andere Zugangsdaten verwenden",
  mismatchTitle: "Das ist ein anderes Konto",
  mismatchLead: (organization, tool) =>
    `Diese Zugangsdaten gehören zu einem anderen ${tool}-Konto. Verwenden Sie die Zugangsdaten des Kontos von ${organization}.`,
  expiredTitle: "Dieser Link ist abgelaufen",
  expiredLead: "Zu Ihrer Sicherheit sind Links nur begrenzt gültig.",
  usedTitle: "Dieser Link wurde bereits verwendet",
  usedLead: "Jeder Link kann nur eine Verbindung abschließen.",
  tokenTitle: "Dieser Link ist ungültig",
  tokenLead: "Er ist möglicherweise unvollständig oder wurde widerrufen.",
  unreachableTitle: (tool) => `${tool} ist nicht erreichbar`,
  unreachableLead: "Es wurde nichts geändert. Versuchen Sie es gleich noch einmal.",
  rateTitle: "Zu viele Versuche",
  rateLead: "Warten Sie eine Minute und versuchen Sie es dann erneut.",
  networkTitle: "Keine Verbindung",
  networkLead:
    "Der relink-Server ist nicht erreichbar. Prüfen Sie Ihre Verbindung und versuchen Sie es erneut.",
  genericTitle: "Etwas ist schiefgelaufen",
  genericLead: "Es wurde nichts geändert. Versuchen Sie es erneut.",

  confirmTitle: "Eingaben verwerfen?",
  confirmLead: "Die eingegebenen Zugangsdaten gehen verloren.",
  keepEditing: "Weiter bearbeiten",
  discard: "Verwerfen und schließen",

  handoffAsked: (who, tool) =>
    `${who ?? "Eine Kollegin oder ein Kollege"} bittet Sie, ${tool ?? "dieses Tool"} erneut zu verbinden, weil dafür Administratorrechte nötig sind.`,
  supersededTitle: "Bereits wieder verbunden",
  supersededLead: (date) =>
    `Jemand anderes hat diese Integration am ${date} erneut verbunden. Sie müssen nichts mehr tun.`,
  handoffButton: "Ich bin kein Admin – an meinen Admin senden",
  handoffTitle: "An Ihren Admin senden",
  handoffLead: (organization, tool) =>
    `Erstellen Sie einen Link für einen Admin des ${tool}-Kontos von ${organization}. Er öffnet dieselbe Anfrage mit denselben Berechtigungen.`,
  handoffName: "Ihr Name oder Ihre E-Mail-Adresse",
  handoffCreate: "Link erstellen",
  handoffDoneTitle: "Ein Link für Ihren Admin",
  handoffDoneLead: (tool) =>
    `Senden Sie diesen Link an Ihren Admin. Sobald ${tool} wieder verbunden ist, müssen Sie nichts mehr tun.`,
  handoffLink: "Link",
  handoffCopy: "Kopieren",
  handoffCopied: "Link kopiert.",
  handoffCopyManual: "Der Link ist markiert: Kopieren Sie ihn mit der Tastatur.",
  handoffExpires: (date) => `Der Link gilt bis ${date}.`,

  embedded: {
    introExpires: (date) => `Sie haben bis ${date} Zeit.`,
    newLink: "Beginnen Sie von vorn, um fortzufahren.",
    expiredTitle: "Diese Sitzung ist abgelaufen",
    expiredLead: "Zu Ihrer Sicherheit ist jede Sitzung nur begrenzt gültig.",
    usedTitle: "Diese Sitzung ist bereits abgeschlossen",
    usedLead: "Jede Sitzung kann nur eine Verbindung abschließen.",
    tokenTitle: "Diese Sitzung ist ungültig",
    tokenLead: "Sie ist möglicherweise unvollständig oder wurde widerrufen.",
  },
};

export default de;
