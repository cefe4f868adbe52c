import type { Translation } from "./en.ts";

const sv: Translation = {
  lang: "sv",
  close: "Stäng",
  cancel: "Avbryt",
  back: "Tillbaka",
  continue: "Fortsätt",
  tryAgain: "Försök igen",
  loading: "Läser in…",
  stepOf: (step, steps) => `Steg ${step} av ${steps}`,
  newLink: "Be den som skickade den till dig om en ny länk.",

  introTitleRelink: (tool) => `Anslut ${tool} igen`,
  introTitleConnect: (tool) => (tool ? `Anslut ${tool}` : "Anslut ditt verktyg"),
  introLeadRelink: (organization, tool) =>
    `Anslutningen mellan ${organization} och ${tool} behöver din uppmärksamhet.`,
  introLeadConnect: (organization, tool) =>
    `Anslut ${tool ? `${tool}-kontot` : "kontot"} för ${organization} så att dess data kan synkroniseras.`,
  introNewPermissions: (count) =>
    count === 1
      ? "Den behöver nu 1 behörighet mer än de nuvarande inloggningsuppgifterna ger."
      : `Den behöver nu ${count} behörigheter mer än de nuvarande inloggningsuppgifterna ger.`,
  introCredentials: "Ange nya inloggningsuppgifter för att hålla datan synkroniserad.",
  introScope: (from, to) => `Den delade datan ändras från ”${from}” till ”${to}”.`,
  introExpires: (date) => `Länken gäller till ${date}.`,
  start: "Kom igång",

  toolTitle: "Välj ditt verktyg",
  toolLead: (organization) => `Vilket system använder ${organization}?`,

  permissionsTitle: "Behörigheter att ge",
  permissionsLead: (tool, count) =>
    count === 1
      ? `Inloggningsuppgifterna behöver den här behörigheten i ${tool}:`
      : `Inloggningsuppgifterna behöver de här ${count} behörigheterna i ${tool}:`,
  permissionsLeadOAuth: (tool, count) =>
    count === 1
      ? `${tool} ber dig godkänna den här behörigheten:`
      : `${tool} ber dig godkänna de här ${count} behörigheterna:`,
  newBadge: "Ny",
  whereToGrant: "Var du ger den:",
  optionalTitle: "Valfri data",
  optionalLead: "Avmarkera det du helst inte vill dela.",

  credentialsTitle: (tool) => `Dina inloggningsuppgifter för ${tool}`,
  credentialsLead: (organization, tool) =>
    `Ange inloggningsuppgifterna för ${tool}-kontot som tillhör ${organization}.`,
  showSecret: (label) => `Visa ${label}`,
  required: (label) => `${label} krävs.`,
  optionalField: "valfritt",
  submit: "Anslut",
  oauthTitle: (tool) => `Logga in på ${tool}`,
  oauthLead: (tool) => `Logga in på ${tool} i ett nytt fönster och godkänn åtkomsten.`,
  oauthButton: (tool) => `Fortsätt med ${tool}`,
  oauthWaiting: (tool) => `Slutför i ${tool}-fönstret…`,
  popupBlocked: "Fönstret kunde inte öppnas. Tillåt popup-fönster för den här webbplatsen och försök igen.",
  popupClosed: "Fönstret stängdes innan du var klar. Försök igen.",
  oauthDenied: (tool) => `Åtkomsten godkändes inte i ${tool}. Försök igen och godkänn den för att fortsätta.`,

  checkingTitle: "Kontrollerar…",
  checkingLead: (tool) => `Inloggningsuppgifterna och behörigheterna kontrolleras hos ${tool}.`,

  successTitle: "Ansluten",
  successLead: (organization, tool) =>
    `${tool}-kontot för ${organization} är anslutet. Synkroniseringen börjar nu.`,
  successAccountLead: (account, tool) =>
    `${tool}-kontot ”${account}” är nu anslutet. Synkroniseringen börjar nu.`,
  accountAlreadyConnected: (tool, organization) =>
    `Det här ${tool}-kontot är redan anslutet för en annan organisation. Om det inte är kontot som tillhör ${organization} loggar du in på ${tool} med rätt konto och ansluter igen.`,
  done: "Klar",

  invalidTitle: "De här inloggningsuppgifterna fungerade inte",
  invalidLead: (tool) => `${tool} avvisade dem. Kontrollera dem och försök igen.`,
  missingTitle: (count) => (count === 1 ? "1 behörighet saknas" : `${count} behörigheter saknas`),
  missingLead: (tool) => `Inloggningsuppgifterna fungerar, men ${tool} ger inte allt som behövs. Ge:`,
  checkAgain: "Kontrollera igen",
  otherCredentials: "Använd andra inloggningsuppgifter",
  mismatchTitle: "Det här är ett annat konto",
  mismatchLead: (organization, tool) =>
    `De här inloggningsuppgifterna hör till ett annat ${tool}-konto. Använd inloggningsuppgifterna för kontot som tillhör ${organization}.`,
  expiredTitle: "Länken har gått ut",
  expiredLead: "Av säkerhetsskäl gäller länkar bara en begränsad tid.",
  usedTitle: "Länken har redan använts",
  usedLead: "Varje länk kan bara slutföra en anslutning.",
  tokenTitle: "Länken är inte giltig",
  tokenLead: "Den kan vara ofullständig eller återkallad.",
  unreachableTitle: (tool) => `Det gick inte att nå ${tool}`,
  unreachableLead: "Inget har ändrats. Försök igen om en stund.",
  rateTitle: "För många försök",
  rateLead: "Vänta en minut och försök sedan igen.",
  networkTitle: "Ingen anslutning",
  networkLead: "Det gick inte att nå relink-servern. Kontrollera din anslutning och försök igen.",
  genericTitle: "Något gick fel",
  genericLead: "Inget har ändrats. Försök igen.",

  confirmTitle: "Vill du slänga det du skrev?",
  confirmLead: "Inloggningsuppgifterna du angav försvinner.",
  keepEditing: "Fortsätt redigera",
  discard: "Släng och stäng",

  handoffAsked: (who, tool) =>
    `${who ?? "En kollega"} ber dig ansluta ${tool ?? "det här verktyget"} igen, eftersom det kräver en administratör.`,
  supersededTitle: "Redan ansluten igen",
  supersededLead: (date) =>
    `Någon annan anslöt den här integrationen igen den ${date}. Du behöver inte göra något mer.`,
  handoffButton: "Jag är inte administratör – skicka detta till min administratör",
  handoffTitle: "Skicka till din administratör",
  handoffLead: (organization, tool) =>
    `Skapa en länk åt en administratör för ${tool}-kontot som tillhör ${organization}. Den öppnar samma förfrågan, med samma behörigheter.`,
  handoffName: "Ditt namn eller din e-postadress",
  handoffCreate: "Skapa länk",
  handoffDoneTitle: "En länk till din administratör",
  handoffDoneLead: (tool) =>
    `Skicka länken till din administratör. När hen har anslutit ${tool} igen behöver du inte göra något mer.`,
  handoffLink: "Länk",
  handoffCopy: "Kopiera",
  handoffCopied: "Länken har kopierats.",
  handoffCopyManual: "Länken är markerad: kopiera den med tangentbordet.",
  handoffExpires: (date) => `Länken fungerar till ${date}.`,

  embedded: {
    introExpires: (date) => `Du har till ${date} på dig att slutföra.`,
    newLink: "Börja om för att fortsätta.",
    expiredTitle: "Sessionen har gått ut",
    expiredLead: "Av säkerhetsskäl gäller varje session bara en begränsad tid.",
    usedTitle: "Sessionen är redan slutförd",
    usedLead: "Varje session kan bara slutföra en anslutning.",
    tokenTitle: "Sessionen är inte giltig",
    tokenLead: "Den kan vara ofullständig eller återkallad.",
  },
};

export default sv;
