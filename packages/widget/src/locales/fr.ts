import type { Translation } from "./en.ts";

const fr: Translation = {
  lang: "fr",
  close: "Fermer",
  cancel: "Annuler",
  back: "Retour",
  continue: "Continuer",
  tryAgain: "Réessayer",
  loading: "Chargement…",
  stepOf: (step, steps) => `Étape ${step} sur ${steps}`,
  newLink: "Demandez un nouveau lien à la personne qui vous l’a envoyé.",

  introTitleRelink: (tool) => `Reconnecter ${tool}`,
  introTitleConnect: (tool) => (tool ? `Connecter ${tool}` : "Connecter votre outil"),
  introLeadRelink: (organization, tool) =>
    `La connexion de ${organization} à ${tool} demande votre attention.`,
  introLeadConnect: (organization, tool) =>
    `Connectez le compte ${tool ? `${tool} ` : ""}de ${organization} pour que ses données puissent être synchronisées.`,
  introNewPermissions: (count) =>
    count <= 1
      ? `Elle nécessite désormais ${count} autorisation de plus que les identifiants actuels.`
      : `Elle nécessite désormais ${count} autorisations de plus que les identifiants actuels.`,
  introCredentials: "Saisissez de nouveaux identifiants pour que les données restent synchronisées.",
  introScope: (from, to) => `Les données partagées passent de « ${from} » à « ${to} ».`,
  introExpires: (date) => `Ce lien est valable jusqu’au ${date}.`,
  start: "Commencer",

  toolTitle: "Choisissez votre outil",
  toolLead: (organization) => `Quel système ${organization} utilise-t-elle ?`,

  permissionsTitle: "Autorisations à accorder",
  permissionsLead: (tool, count) =>
    count <= 1
      ? `Les identifiants ont besoin de cette autorisation dans ${tool} :`
      : `Les identifiants ont besoin de ces ${count} autorisations dans ${tool} :`,
  permissionsLeadOAuth: (tool, count) =>
    count === 1
      ? `${tool} vous demandera d’approuver cette autorisation :`
      : `${tool} vous demandera d’approuver ces ${count} autorisations :`,
  newBadge: "Nouveau",
  whereToGrant: "Où l’accorder :",
  optionalTitle: "Données facultatives",
  optionalLead: "Décochez ce que vous préférez ne pas partager.",

  credentialsTitle: (tool) => `Vos identifiants ${tool}`,
  credentialsLead: (organization, tool) => `Saisissez les identifiants du compte ${tool} de ${organization}.`,
  showSecret: (label) => `Afficher ${label}`,
  required: (label) => `${label} est obligatoire.`,
  optionalField: "facultatif",
  submit: "Connecter",
  oauthTitle: (tool) => `Connexion à ${tool}`,
  oauthLead: (tool) => `Connectez-vous à ${tool} dans une nouvelle fenêtre et approuvez l’accès.`,
  oauthButton: (tool) => `Continuer avec ${tool}`,
  oauthWaiting: (tool) => `Terminez dans la fenêtre ${tool}…`,
  popupBlocked: "La fenêtre n’a pas pu s’ouvrir. Autorisez les fenêtres pop-up pour ce site et réessayez.",
  popupClosed: "La fenêtre a été fermée avant la fin. Réessayez.",
  oauthDenied: (tool) =>
    `L’accès n’a pas été approuvé dans ${tool}. Réessayez et approuvez-le pour continuer.`,

  checkingTitle: "Vérification…",
  checkingLead: (tool) => `Vérification des identifiants et des autorisations auprès de ${tool}.`,

  successTitle: "Connecté",
  successLead: (organization, tool) =>
    `Le compte ${tool} de ${organization} est connecté. La synchronisation commence maintenant.`,
  successAccountLead: (account, tool) =>
    `Le compte ${tool} « ${account} » est maintenant connecté. La synchronisation commence maintenant.`,
  accountAlreadyConnected: (tool, organization) =>
    `Ce compte ${tool} est déjà connecté pour une autre organisation. S'il ne s'agit pas du compte de ${organization}, connectez-vous à ${tool} avec le bon compte et recommencez.`,
  done: "Terminé",

  invalidTitle: "Ces identifiants n’ont pas fonctionné",
  invalidLead: (tool) => `${tool} les a refusés. Vérifiez-les et réessayez.`,
  missingTitle: (count) =>
    count <= 1 ? `${count} autorisation manquante` : `${count} autorisations manquantes`,
  missingLead: (tool) =>
    `Les identifiants fonctionnent, mais ${tool} n’accorde pas tout ce qui est nécessaire. Accordez :`,
  checkAgain: "Vérifier à nouveau",
  otherCredentials: "Utiliser d’autres identifiants",
  mismatchTitle: "Il s’agit d’un autre compte",
  mismatchLead: (organization, tool) =>
    `Ces identifiants appartiennent à un autre compte ${tool}. Utilisez les identifiants du compte de ${organization}.`,
  expiredTitle: "Ce lien a expiré",
  expiredLead: "Pour votre sécurité, les liens ne sont valables que pour une durée limitée.",
  usedTitle: "Ce lien a déjà été utilisé",
  usedLead: "Chaque lien ne peut établir qu’une seule connexion.",
  tokenTitle: "Ce lien n’est pas valide",
  tokenLead: "Il est peut-être incomplet ou a été révoqué.",
  unreachableTitle: (tool) => `${tool} est injoignable`,
  unreachableLead: "Rien n’a été modifié. Réessayez dans un instant.",
  rateTitle: "Trop de tentatives",
  rateLead: "Patientez une minute, puis réessayez.",
  networkTitle: "Pas de connexion",
  networkLead: "Le serveur relink est injoignable. Vérifiez votre connexion et réessayez.",
  genericTitle: "Un problème est survenu",
  genericLead: "Rien n’a été modifié. Réessayez.",

  confirmTitle: "Abandonner votre saisie ?",
  confirmLead: "Les identifiants saisis seront perdus.",
  keepEditing: "Continuer la saisie",
  discard: "Abandonner et fermer",

  handoffAsked: (who, tool) =>
    `${who ?? "Un collègue"} vous demande de reconnecter ${tool ?? "cet outil"}, car il faut un administrateur.`,
  supersededTitle: "Déjà reconnecté",
  supersededLead: (date) =>
    `Quelqu’un d’autre a reconnecté cette intégration le ${date}. Vous n’avez plus rien à faire.`,
  handoffButton: "Je ne suis pas administrateur — envoyer à mon administrateur",
  handoffTitle: "Envoyer à votre administrateur",
  handoffLead: (organization, tool) =>
    `Obtenez un lien pour un administrateur du compte ${tool} de ${organization}. Il ouvre cette même demande, avec les mêmes autorisations.`,
  handoffName: "Votre nom ou votre e-mail",
  handoffCreate: "Créer le lien",
  handoffDoneTitle: "Un lien pour votre administrateur",
  handoffDoneLead: (tool) =>
    `Envoyez ce lien à votre administrateur. Une fois ${tool} reconnecté, vous n’aurez plus rien à faire.`,
  handoffLink: "Lien",
  handoffCopy: "Copier",
  handoffCopied: "Lien copié.",
  handoffCopyManual: "Le lien est sélectionné : copiez-le avec le clavier.",
  handoffExpires: (date) => `Le lien est valable jusqu’au ${date}.`,

  embedded: {
    introExpires: (date) => `Vous avez jusqu’au ${date} pour terminer.`,
    newLink: "Recommencez pour continuer.",
    expiredTitle: "Cette session a expiré",
    expiredLead: "Pour votre sécurité, chaque session n’est valable que pour une durée limitée.",
    usedTitle: "Cette session est déjà terminée",
    usedLead: "Chaque session ne peut établir qu’une seule connexion.",
    tokenTitle: "Cette session n’est pas valide",
    tokenLead: "Elle est peut-être incomplète ou révoquée.",
  },
};

export default fr;
