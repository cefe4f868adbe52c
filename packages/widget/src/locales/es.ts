import type { Translation } from "./en.ts";

const es: Translation = {
  lang: "es",
  close: "Cerrar",
  cancel: "Cancelar",
  back: "Atrás",
  continue: "Continuar",
  tryAgain: "Reintentar",
  loading: "Cargando…",
  stepOf: (step, steps) => `Paso ${step} de ${steps}`,
  newLink: "Pide un enlace nuevo a quien te lo envió.",

  introTitleRelink: (tool) => `Vuelve a conectar ${tool}`,
  introTitleConnect: (tool) => (tool ? `Conecta ${tool}` : "Conecta tu herramienta"),
  introLeadRelink: (organization, tool) => `La conexión de ${organization} con ${tool} necesita tu atención.`,
  introLeadConnect: (organization, tool) =>
    `Conecta la cuenta de ${tool ?? "la herramienta"} de ${organization} para sincronizar sus datos.`,
  introNewPermissions: (count) =>
    count === 1
      ? "Ahora necesita 1 permiso más de los que conceden las credenciales actuales."
      : `Ahora necesita ${count} permisos más de los que conceden las credenciales actuales.`,
  introCredentials: "Introduce credenciales nuevas para que los datos sigan sincronizados.",
  introScope: (from, to) => `Los datos compartidos cambian de «${from}» a «${to}».`,
  introExpires: (date) => `Este enlace es válido hasta el ${date}.`,
  start: "Empezar",

  toolTitle: "Elige tu herramienta",
  toolLead: (organization) => `¿Qué sistema usa ${organization}?`,

  permissionsTitle: "Permisos que conceder",
  permissionsLead: (tool, count) =>
    count === 1
      ? `Las credenciales necesitan este permiso en ${tool}:`
      : `Las credenciales necesitan estos ${count} permisos en ${tool}:`,
  permissionsLeadOAuth: (tool, count) =>
    count === 1
      ? `${tool} te pedirá que apruebes este permiso:`
      : `${tool} te pedirá que apruebes estos ${count} permisos:`,
  newBadge: "Nuevo",
  whereToGrant: "Dónde concederlo:",
  optionalTitle: "Datos opcionales",
  optionalLead: "Desmarca lo que prefieras no compartir.",

  credentialsTitle: (tool) => `Tus credenciales de ${tool}`,
  credentialsLead: (organization, tool) =>
    `Introduce las credenciales de la cuenta de ${tool} de ${organization}.`,
  showSecret: (label) => `Mostrar ${label}`,
  required: (label) => `El campo ${label} es obligatorio.`,
  optionalField: "opcional",
  submit: "Conectar",
  oauthTitle: (tool) => `Inicia sesión en ${tool}`,
  oauthLead: (tool) => `Inicia sesión en ${tool} en una ventana nueva y aprueba el acceso.`,
  oauthButton: (tool) => `Continuar con ${tool}`,
  oauthWaiting: (tool) => `Termina en la ventana de ${tool}…`,
  popupBlocked: "No se pudo abrir la ventana. Permite las ventanas emergentes para este sitio y reinténtalo.",
  popupClosed: "La ventana se cerró antes de terminar. Reinténtalo.",
  oauthDenied: (tool) => `No se aprobó el acceso en ${tool}. Reinténtalo y apruébalo para continuar.`,

  checkingTitle: "Comprobando…",
  checkingLead: (tool) => `Comprobando las credenciales y los permisos con ${tool}.`,

  successTitle: "Conectado",
  successLead: (organization, tool) =>
    `La cuenta de ${tool} de ${organization} está conectada. La sincronización empieza ahora.`,
  successAccountLead: (account, tool) =>
    `La cuenta de ${tool} «${account}» ya está conectada. La sincronización empieza ahora.`,
  accountAlreadyConnected: (tool, organization) =>
    `Esta cuenta de ${tool} ya está conectada para otra organización. Si no es la cuenta de ${organization}, inicia sesión en ${tool} con la cuenta correcta y vuelve a conectar.`,
  done: "Listo",

  invalidTitle: "Estas credenciales no funcionaron",
  invalidLead: (tool) => `${tool} las rechazó. Revísalas y reinténtalo.`,
  missingTitle: (count) => (count === 1 ? "Falta 1 permiso" : `Faltan ${count} permisos`),
  missingLead: (tool) => `Las credenciales funcionan, pero ${tool} no concede todo lo necesario. Concede:`,
  checkAgain: "Comprobar de nuevo",
  otherCredentials: "Usar otras credenciales",
  mismatchTitle: "Es otra cuenta",
  mismatchLead: (organization, tool) =>
    `Estas credenciales pertenecen a otra cuenta de ${tool}. Usa las credenciales de la cuenta de ${organization}.`,
  expiredTitle: "Este enlace ha caducado",
  expiredLead: "Por tu seguridad, los enlaces son válidos durante un tiempo limitado.",
  usedTitle: "Este enlace ya se usó",
  usedLead: "Cada enlace solo puede completar una conexión.",
  tokenTitle: "Este enlace no es válido",
  tokenLead: "Puede estar incompleto o revocado.",
  unreachableTitle: (tool) => `No se pudo contactar con ${tool}`,
  unreachableLead: "No se cambió nada. Reinténtalo en un momento.",
  rateTitle: "Demasiados intentos",
  rateLead: "Espera un minuto y reinténtalo.",
  networkTitle: "Sin conexión",
  networkLead: "No se pudo contactar con el servidor de relink. Revisa tu conexión y reinténtalo.",
  genericTitle: "Algo salió mal",
  genericLead: "No se cambió nada. Reinténtalo.",

  confirmTitle: "¿Descartar lo que escribiste?",
  confirmLead: "Se perderán las credenciales introducidas.",
  keepEditing: "Seguir editando",
  discard: "Descartar y cerrar",

  handoffAsked: (who, tool) =>
    `${who ?? "Un compañero"} te pide que vuelvas a conectar ${tool ?? "esta herramienta"}, porque hace falta un administrador.`,
  supersededTitle: "Ya se volvió a conectar",
  supersededLead: (date) =>
    `Otra persona volvió a conectar esta integración el ${date}. No tienes que hacer nada más.`,
  handoffButton: "No soy administrador: enviar a mi administrador",
  handoffTitle: "Enviar a tu administrador",
  handoffLead: (organization, tool) =>
    `Obtén un enlace para un administrador de la cuenta de ${tool} de ${organization}. Abre esta misma solicitud, con los mismos permisos.`,
  handoffName: "Tu nombre o correo electrónico",
  handoffCreate: "Crear enlace",
  handoffDoneTitle: "Un enlace para tu administrador",
  handoffDoneLead: (tool) =>
    `Envía este enlace a tu administrador. Cuando vuelva a conectar ${tool}, no tendrás que hacer nada más.`,
  handoffLink: "Enlace",
  handoffCopy: "Copiar",
  handoffCopied: "Enlace copiado.",
  handoffCopyManual: "El enlace está seleccionado: cópialo con el teclado.",
  handoffExpires: (date) => `El enlace es válido hasta el ${date}.`,

  embedded: {
    introExpires: (date) => `Tienes hasta el ${date} para terminar.`,
    newLink: "Vuelve a empezar para continuar.",
    expiredTitle: "Esta sesión ha caducado",
    expiredLead: "Por tu seguridad, cada sesión es válida durante un tiempo limitado.",
    usedTitle: "Esta sesión ya se completó",
    usedLead: "Cada sesión solo puede completar una conexión.",
    tokenTitle: "Esta sesión no es válida",
    tokenLead: "Puede estar incompleta o revocada.",
  },
};

export default es;
