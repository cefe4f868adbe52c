import type { Translation } from "./en.ts";

const it: Translation = {
  lang: "it",
  close: "Chiudi",
  cancel: "Annulla",
  back: "Indietro",
  continue: "Continua",
  tryAgain: "Riprova",
  loading: "Caricamento…",
  stepOf: (step, steps) => `Passaggio ${step} di ${steps}`,
  newLink: "Chiedi un nuovo link a chi te lo ha inviato.",

  introTitleRelink: (tool) => `Ricollega ${tool}`,
  introTitleConnect: (tool) => (tool ? `Collega ${tool}` : "Collega il tuo strumento"),
  introLeadRelink: (organization, tool) =>
    `Il collegamento di ${organization} a ${tool} richiede la tua attenzione.`,
  introLeadConnect: (organization, tool) =>
    `Collega l’account ${tool ? `${tool} ` : ""}di ${organization} per sincronizzarne i dati.`,
  introNewPermissions: (count) =>
    count === 1
      ? "Ora richiede 1 autorizzazione in più rispetto alle credenziali attuali."
      : `Ora richiede ${count} autorizzazioni in più rispetto alle credenziali attuali.`,
  introCredentials: "Inserisci nuove credenziali per mantenere i dati sincronizzati.",
  introScope: (from, to) => `I dati condivisi passano da «${from}» a «${to}».`,
  introExpires: (date) => `Questo link è valido fino al ${date}.`,
  start: "Inizia",

  toolTitle: "Scegli il tuo strumento",
  toolLead: (organization) => `Quale sistema usa ${organization}?`,

  permissionsTitle: "Autorizzazioni da concedere",
  permissionsLead: (tool, count) =>
    count === 1
      ? `Le credenziali richiedono questa autorizzazione in ${tool}:`
      : `Le credenziali richiedono queste ${count} autorizzazioni in ${tool}:`,
  permissionsLeadOAuth: (tool, count) =>
    count === 1
      ? `${tool} ti chiederà di approvare questa autorizzazione:`
      : `${tool} ti chiederà di approvare queste ${count} autorizzazioni:`,
  newBadge: "Nuova",
  whereToGrant: "Dove concederla:",
  optionalTitle: "Dati facoltativi",
  optionalLead: "Deseleziona ciò che preferisci non condividere.",

  credentialsTitle: (tool) => `Le tue credenziali ${tool}`,
  credentialsLead: (organization, tool) =>
    `Inserisci le credenziali dell’account ${tool} di ${organization}.`,
  showSecret: (label) => `Mostra ${label}`,
  required: (label) => `Il campo ${label} è obbligatorio.`,
  optionalField: "facoltativo",
  submit: "Collega",
  oauthTitle: (tool) => `Accedi a ${tool}`,
  oauthLead: (tool) => `Accedi a ${tool} in una nuova finestra e approva l’accesso.`,
  oauthButton: (tool) => `Continua con ${tool}`,
  oauthWaiting: (tool) => `Completa nella finestra di ${tool}…`,
  popupBlocked: "Impossibile aprire la finestra. Consenti i pop-up per questo sito e riprova.",
  popupClosed: "La finestra è stata chiusa prima del termine. Riprova.",
  oauthDenied: (tool) => `L’accesso non è stato approvato in ${tool}. Riprova e approvalo per continuare.`,

  checkingTitle: "Verifica in corso…",
  checkingLead: (tool) => `Verifica delle credenziali e delle autorizzazioni con ${tool}.`,

  successTitle: "Collegato",
  successLead: (organization, tool) =>
    `L’account ${tool} di ${organization} è collegato. La sincronizzazione inizia ora.`,
  successAccountLead: (account, tool) =>
    `L’account ${tool} «${account}» è ora collegato. La sincronizzazione inizia ora.`,
  accountAlreadyConnected: (tool, organization) =>
    `Questo account ${tool} è già collegato per un’altra organizzazione. Se non è l’account di ${organization}, accedi a ${tool} con l’account giusto e collega di nuovo.`,
  done: "Fatto",

  invalidTitle: "Queste credenziali non funzionano",
  invalidLead: (tool) => `${tool} le ha rifiutate. Controllale e riprova.`,
  missingTitle: (count) => (count === 1 ? "Manca 1 autorizzazione" : `Mancano ${count} autorizzazioni`),
  missingLead: (tool) => `Le credenziali funzionano, ma ${tool} non concede tutto il necessario. Concedi:`,
  checkAgain: "Verifica di nuovo",
  otherCredentials: "Usa altre credenziali",
  mismatchTitle: "Questo è un altro account",
  mismatchLead: (organization, tool) =>
    `Queste credenziali appartengono a un altro account ${tool}. Usa le credenziali dell’account di ${organization}.`,
  expiredTitle: "Questo link è scaduto",
  expiredLead: "Per la tua sicurezza, i link sono validi per un tempo limitato.",
  usedTitle: "Questo link è già stato usato",
  usedLead: "Ogni link può completare un solo collegamento.",
  tokenTitle: "Questo link non è valido",
  tokenLead: "Potrebbe essere incompleto o revocato.",
  unreachableTitle: (tool) => `${tool} non è raggiungibile`,
  unreachableLead: "Non è stato modificato nulla. Riprova tra poco.",
  rateTitle: "Troppi tentativi",
  rateLead: "Attendi un minuto, poi riprova.",
  networkTitle: "Nessuna connessione",
  networkLead: "Il server relink non è raggiungibile. Controlla la connessione e riprova.",
  genericTitle: "Qualcosa è andato storto",
  genericLead: "Non è stato modificato nulla. Riprova.",

  confirmTitle: "Eliminare quanto inserito?",
  confirmLead: "Le credenziali inserite andranno perse.",
  keepEditing: "Continua a modificare",
  discard: "Elimina e chiudi",

  handoffAsked: (who, tool) =>
    `${who ?? "Un collega"} ti chiede di ricollegare ${tool ?? "questo strumento"}, perché serve un amministratore.`,
  supersededTitle: "Già ricollegato",
  supersededLead: (date) =>
    `Qualcun altro ha ricollegato questa integrazione il ${date}. Non devi fare altro.`,
  handoffButton: "Non sono un amministratore: invia al mio amministratore",
  handoffTitle: "Invia al tuo amministratore",
  handoffLead: (organization, tool) =>
    `Ottieni un link per un amministratore dell’account ${tool} di ${organization}. Apre questa stessa richiesta, con le stesse autorizzazioni.`,
  handoffName: "Il tuo nome o la tua email",
  handoffCreate: "Crea il link",
  handoffDoneTitle: "Un link per il tuo amministratore",
  handoffDoneLead: (tool) =>
    `Invia questo link al tuo amministratore. Quando avrà ricollegato ${tool}, non dovrai fare altro.`,
  handoffLink: "Link",
  handoffCopy: "Copia",
  handoffCopied: "Link copiato.",
  handoffCopyManual: "Il link è selezionato: copialo con la tastiera.",
  handoffExpires: (date) => `Il link è valido fino al ${date}.`,

  embedded: {
    introExpires: (date) => `Hai tempo fino al ${date} per completare.`,
    newLink: "Ricomincia per continuare.",
    expiredTitle: "Questa sessione è scaduta",
    expiredLead: "Per la tua sicurezza, ogni sessione è valida per un tempo limitato.",
    usedTitle: "Questa sessione è già conclusa",
    usedLead: "Ogni sessione può completare una sola connessione.",
    tokenTitle: "Questa sessione non è valida",
    tokenLead: "Potrebbe essere incompleta o revocata.",
  },
};

export default it;
