import type { Translation } from "./en.ts";

const da: Translation = {
  lang: "da",
  close: "Luk",
  cancel: "Annuller",
  back: "Tilbage",
  continue: "Fortsæt",
  tryAgain: "Prøv igen",
  loading: "Indlæser…",
  stepOf: (step, steps) => `Trin ${step} af ${steps}`,
  newLink: "Bed den, der sendte det til dig, om et nyt link.",

  introTitleRelink: (tool) => `Forbind ${tool} igen`,
  introTitleConnect: (tool) => (tool ? `Forbind ${tool}` : "Forbind dit værktøj"),
  introLeadRelink: (organization, tool) =>
    `Forbindelsen mellem ${organization} og ${tool} kræver din opmærksomhed.`,
  introLeadConnect: (organization, tool) =>
    `Forbind ${tool ? `${tool}-kontoen` : "kontoen"} for ${organization}, så dens data kan synkroniseres.`,
  introNewPermissions: (count) =>
    count === 1
      ? "Den kræver nu 1 tilladelse mere, end de nuværende loginoplysninger giver."
      : `Den kræver nu ${count} tilladelser mere, end de nuværende loginoplysninger giver.`,
  introCredentials: "Indtast nye loginoplysninger for at holde dataene synkroniseret.",
  introScope: (from, to) => `De delte data ændres fra »${from}« til »${to}«.`,
  introExpires: (date) => `Linket er gyldigt indtil ${date}.`,
  start: "Kom i gang",

  toolTitle: "Vælg dit værktøj",
  toolLead: (organization) => `Hvilket system bruger ${organization}?`,

  permissionsTitle: "Tilladelser, der skal gives",
  permissionsLead: (tool, count) =>
    count === 1
      ? `Loginoplysningerne skal have denne tilladelse i ${tool}:`
      : `Loginoplysningerne skal have disse ${count} tilladelser i ${tool}:`,
  permissionsLeadOAuth: (tool, count) =>
    count === 1
      ? `${tool} beder dig godkende denne tilladelse:`
      : `${tool} beder dig godkende disse ${count} tilladelser:`,
  newBadge: "Ny",
  whereToGrant: "Hvor du giver den:",
  optionalTitle: "Valgfrie data",
  optionalLead: "Fjern markeringen ved det, du helst ikke vil dele.",

  credentialsTitle: (tool) => `Dine loginoplysninger til ${tool}`,
  credentialsLead: (organization, tool) =>
    `Indtast loginoplysningerne til ${tool}-kontoen, der tilhører ${organization}.`,
  showSecret: (label) => `Vis ${label}`,
  required: (label) => `${label} skal udfyldes.`,
  optionalField: "valgfrit",
  submit: "Forbind",
  oauthTitle: (tool) => `Log ind på ${tool}`,
  oauthLead: (tool) => `Log ind på ${tool} i et nyt vindue, og godkend adgangen.`,
  oauthButton: (tool) => `Fortsæt med ${tool}`,
  oauthWaiting: (tool) => `Gør det færdigt i ${tool}-vinduet…`,
  popupBlocked: "Vinduet kunne ikke åbnes. Tillad pop op-vinduer for dette websted, og prøv igen.",
  popupClosed: "Vinduet blev lukket, før du var færdig. Prøv igen.",
  oauthDenied: (tool) => `Adgangen blev ikke godkendt i ${tool}. Prøv igen, og godkend den for at fortsætte.`,

  checkingTitle: "Kontrollerer…",
  checkingLead: (tool) => `Loginoplysningerne og tilladelserne kontrolleres hos ${tool}.`,

  successTitle: "Forbundet",
  successLead: (organization, tool) =>
    `${tool}-kontoen for ${organization} er forbundet. Synkroniseringen starter nu.`,
  successAccountLead: (account, tool) =>
    `${tool}-kontoen »${account}« er nu forbundet. Synkroniseringen starter nu.`,
  accountAlreadyConnected: (tool, organization) =>
    `Denne ${tool}-konto er allerede forbundet for en anden organisation. Hvis det ikke er kontoen for ${organization}, så log ind på ${tool} med den rigtige konto, og forbind igen.`,
  done: "Færdig",

  invalidTitle: "Disse loginoplysninger virkede ikke",
  invalidLead: (tool) => `${tool} afviste dem. Kontrollér dem, og prøv igen.`,
  missingTitle: (count) => (count === 1 ? "1 tilladelse mangler" : `${count} tilladelser mangler`),
  missingLead: (tool) => `Loginoplysningerne virker, men ${tool} giver ikke alt det nødvendige. Giv:`,
  checkAgain: "Kontrollér igen",
  otherCredentials: "Brug andre loginoplysninger",
  mismatchTitle: "Det er en anden konto",
  mismatchLead: (organization, tool) =>
    `Disse loginoplysninger hører til en anden ${tool}-konto. Brug loginoplysningerne til kontoen, der tilhører ${organization}.`,
  expiredTitle: "Linket er udløbet",
  expiredLead: "Af sikkerhedshensyn er links kun gyldige i begrænset tid.",
  usedTitle: "Linket er allerede brugt",
  usedLead: "Hvert link kan kun gennemføre én forbindelse.",
  tokenTitle: "Linket er ikke gyldigt",
  tokenLead: "Det kan være ufuldstændigt eller tilbagekaldt.",
  unreachableTitle: (tool) => `${tool} kunne ikke nås`,
  unreachableLead: "Intet blev ændret. Prøv igen om lidt.",
  rateTitle: "For mange forsøg",
  rateLead: "Vent et minut, og prøv så igen.",
  networkTitle: "Ingen forbindelse",
  networkLead: "relink-serveren kunne ikke nås. Kontrollér din forbindelse, og prøv igen.",
  genericTitle: "Noget gik galt",
  genericLead: "Intet blev ændret. Prøv igen.",

  confirmTitle: "Vil du kassere det, du har skrevet?",
  confirmLead: "De loginoplysninger, du har indtastet, går tabt.",
  keepEditing: "Fortsæt redigering",
  discard: "Kassér og luk",

  handoffAsked: (who, tool) =>
    `${who ?? "En kollega"} beder dig forbinde ${tool ?? "dette værktøj"} igen, da det kræver en administrator.`,
  supersededTitle: "Allerede forbundet igen",
  supersededLead: (date) =>
    `En anden forbandt denne integration igen den ${date}. Du behøver ikke gøre mere.`,
  handoffButton: "Jeg er ikke administrator – send dette til min administrator",
  handoffTitle: "Send til din administrator",
  handoffLead: (organization, tool) =>
    `Få et link til en administrator af ${tool}-kontoen, der tilhører ${organization}. Det åbner den samme anmodning med de samme tilladelser.`,
  handoffName: "Dit navn eller din e-mail",
  handoffCreate: "Opret link",
  handoffDoneTitle: "Et link til din administrator",
  handoffDoneLead: (tool) =>
    `Send dette link til din administrator. Når vedkommende har forbundet ${tool} igen, behøver du ikke gøre mere.`,
  handoffLink: "Link",
  handoffCopy: "Kopiér",
  handoffCopied: "Linket er kopieret.",
  handoffCopyManual: "Linket er markeret: kopiér det med tastaturet.",
  handoffExpires: (date) => `Linket virker indtil ${date}.`,

  embedded: {
    introExpires: (date) => `Du har indtil ${date} til at gøre det færdigt.`,
    newLink: "Start forfra for at fortsætte.",
    expiredTitle: "Sessionen er udløbet",
    expiredLead: "Af sikkerhedshensyn er hver session kun gyldig i begrænset tid.",
    usedTitle: "Sessionen er allerede gennemført",
    usedLead: "Hver session kan kun gennemføre én forbindelse.",
    tokenTitle: "Sessionen er ikke gyldig",
    tokenLead: "Den kan være ufuldstændig eller tilbagekaldt.",
  },
};

export default da;
