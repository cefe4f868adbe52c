import type { OAuthCallbackMessage } from "@relink/sdk/contract";
import { WIDGET_SCRIPT_PATH } from "./widget.ts";

/**
 * The server's few HTML pages: the hosted flow (`/link`) and the OAuth callback. No inline script
 * on `/link` (its CSP allows only same-origin scripts); the callback's one inline script carries a
 * per-response nonce.
 */

/**
 * CSP of the hosted page: the widget and `/link.js` from this origin, API calls to this origin
 * only; images also over https (the workspace's logo, `PUT /v1/settings/branding`, https only).
 */
export const HOSTED_PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self'; img-src 'self' data: https:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

export const callbackCsp = (nonce: string) =>
  `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'`;

export const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch] ?? ch,
  );

/** JSON safe inside a `<script>` element: no `</script>`, no HTML comment openers, no line separators. */
const scriptJson = (value: unknown) =>
  JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");

const STYLE = `
  :root { color-scheme: light dark; font-family: system-ui, -apple-system, "Segoe UI", sans-serif; }
  body { margin: 0; background: Canvas; color: CanvasText; }
  main { max-width: 40rem; margin: 0 auto; padding: 2rem 1rem; }
  h1 { font-size: 1.25rem; }
  #brand { display: flex; align-items: center; gap: 0.75rem; margin-block-end: 0.75rem; font-size: 1.125rem; overflow-wrap: anywhere; }
  #brand[hidden], #brand-logo[hidden], #asker[hidden] { display: none; }
  #brand-logo { width: 40px; height: 40px; object-fit: contain; border-radius: 8px; flex: none; }
  #asker { margin-block: 0 1.25rem; line-height: 1.5; }
  .notice { border: 1px solid color-mix(in srgb, CanvasText 20%, transparent); border-radius: 12px; padding: 1.25rem; line-height: 1.5; }
  .notice h1 { margin-block: 0 0.5rem; }
  .notice p { margin-block: 0.5rem 0; }
  .notice .mark { display: inline-flex; align-items: center; justify-content: center; width: 2rem; height: 2rem; border: 2px solid currentColor; border-radius: 50%; font-weight: 700; font-size: 1.1rem; line-height: 1; margin-block-end: 0.5rem; }
  .notice button { margin-block-start: 1rem; font: inherit; padding: 0.5rem 1rem; border-radius: 8px; border: 1px solid currentColor; background: transparent; color: inherit; cursor: pointer; }
  .notice h1:focus { outline: none; }
`;

function page(title: string, body: string, head = ""): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex">
<link rel="icon" href="data:,">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
${head}
</head>
<body>
${body}
</body>
</html>
`;
}

/** `/link`: loads the widget and `/link.js`, which reads the token from the fragment. */
export function hostedPage(): string {
  return page(
    "Reconnect your account",
    `<main id="relink">
<header id="brand" part="brand" hidden><img id="brand-logo" alt="" width="40" height="40" referrerpolicy="no-referrer" hidden><strong id="brand-name"></strong></header>
<p id="asker" hidden></p>
<div id="content" aria-live="polite"><noscript>This page needs JavaScript to reconnect your account.</noscript></div>
</main>`,
    `<script type="module" src="${WIDGET_SCRIPT_PATH}"></script>
<script type="module" src="/link.js"></script>`,
  );
}

/** `/link` when the widget has not been built. */
export function widgetMissingPage(): string {
  return page(
    "Temporarily unavailable",
    `<main><h1>This page is temporarily unavailable</h1>
<p>The relink widget has not been built on this server. The operator can build it with
<code>pnpm --filter @relink/widget build</code> (it is served from <code>packages/widget/dist/relink-widget.js</code>).</p></main>`,
  );
}

/**
 * `/link.js`: takes the token out of the fragment (and out of the address bar and history at
 * once), reads the flow to say who asks (the workspace's brand) and what for, then shows
 * `<relink-connect mode="inline">` for it. The token never reaches the server in a URL, so it
 * never appears in a request log. Once the flow completed, the page says what happened and who
 * asked, and offers nothing more: no form, no link. A revoked link says so; a superseded one
 * (someone else reconnected) says that calmly; a flow handed off to an admin says it was sent.
 * In the ten languages of the widget, by the token's `locale`.
 */
export const HOSTED_PAGE_SCRIPT = `const STRINGS = {
  en: {
    title: "Reconnect your account",
    asks: (product, tool, org) => product ? \`\${product} asks you to reconnect \${tool} for \${org}.\` : \`You were asked to reconnect \${tool} for \${org}.\`,
    doneTitle: "Reconnected",
    doneLead: (tool, org) => \`\${tool} is connected again for \${org}.\`,
    doneWho: (product) => product ? \`\${product} asked for this reconnection and can use the connection again.\` : "The service that sent you this link can use the connection again.",
    doneClose: "Nothing else is needed: you can close this page.",
    revokedTitle: "This link was revoked",
    revokedLead: (product) => product ? \`\${product} revoked this link, so it can no longer be used. If you still need to reconnect, ask \${product} for a new link.\` : "The sender revoked this link, so it can no longer be used. If you still need to reconnect, ask them for a new link.",
    handoffAsks: (who, tool, org) => who ? \`\${who} asks you, as an administrator, to reconnect \${tool} for \${org}.\` : \`Someone asks you, as an administrator, to reconnect \${tool} for \${org}.\`,
    exitTitle: "Nothing was changed",
    exitLead: "You closed the reconnection before it finished.",
    restart: "Start again",
    supersededTitle: "Already reconnected",
    supersededLead: (date) => \`Someone else reconnected this integration on \${date}. Nothing more to do: you can close this page.\`,
    handedOffTitle: "Sent to your admin",
    handedOffLead: "Once your admin reconnects with the link you copied, nothing more is needed from you. You can close this page.",
    incomplete: "This link is incomplete. Open the whole link you received, or ask for a new one.",
  },
  de: {
    title: "Konto erneut verbinden",
    asks: (product, tool, org) => product ? \`\${product} bittet Sie, \${tool} für \${org} erneut zu verbinden.\` : \`Sie wurden gebeten, \${tool} für \${org} erneut zu verbinden.\`,
    doneTitle: "Wieder verbunden",
    doneLead: (tool, org) => \`\${tool} ist für \${org} wieder verbunden.\`,
    doneWho: (product) => product ? \`\${product} hat um diese Verbindung gebeten und kann sie wieder nutzen.\` : "Der Dienst, der Ihnen diesen Link geschickt hat, kann die Verbindung wieder nutzen.",
    doneClose: "Sonst ist nichts zu tun: Sie können diese Seite schließen.",
    revokedTitle: "Dieser Link wurde widerrufen",
    revokedLead: (product) => product ? \`\${product} hat diesen Link widerrufen; er kann nicht mehr verwendet werden. Wenn Sie noch neu verbinden müssen, bitten Sie \${product} um einen neuen Link.\` : "Der Absender hat diesen Link widerrufen; er kann nicht mehr verwendet werden. Wenn Sie noch neu verbinden müssen, bitten Sie um einen neuen Link.",
    handoffAsks: (who, tool, org) => who ? \`\${who} bittet Sie als Administrator:in, \${tool} für \${org} erneut zu verbinden.\` : \`Jemand bittet Sie als Administrator:in, \${tool} für \${org} erneut zu verbinden.\`,
    exitTitle: "Nichts wurde geändert",
    exitLead: "Sie haben die Verbindung geschlossen, bevor sie abgeschlossen war.",
    restart: "Neu beginnen",
    supersededTitle: "Bereits wieder verbunden",
    supersededLead: (date) => \`Jemand anderes hat diese Integration am \${date} erneut verbunden. Sie müssen nichts mehr tun und können diese Seite schließen.\`,
    handedOffTitle: "An Ihren Admin gesendet",
    handedOffLead: "Sobald Ihr Admin über den kopierten Link neu verbunden hat, müssen Sie nichts mehr tun. Sie können diese Seite schließen.",
    incomplete: "Dieser Link ist unvollständig. Öffnen Sie den ganzen Link, den Sie erhalten haben, oder bitten Sie um einen neuen.",
  },
  fr: {
    title: "Reconnecter votre compte",
    asks: (product, tool, org) => product ? \`\${product} vous demande de reconnecter \${tool} pour \${org}.\` : \`On vous demande de reconnecter \${tool} pour \${org}.\`,
    doneTitle: "Reconnecté",
    doneLead: (tool, org) => \`\${tool} est de nouveau connecté pour \${org}.\`,
    doneWho: (product) => product ? \`\${product} a demandé cette reconnexion et peut de nouveau utiliser la connexion.\` : "Le service qui vous a envoyé ce lien peut de nouveau utiliser la connexion.",
    doneClose: "Il n'y a rien d'autre à faire : vous pouvez fermer cette page.",
    revokedTitle: "Ce lien a été révoqué",
    revokedLead: (product) => product ? \`\${product} a révoqué ce lien ; il ne peut plus être utilisé. Si vous devez encore vous reconnecter, demandez un nouveau lien à \${product}.\` : "L'expéditeur a révoqué ce lien ; il ne peut plus être utilisé. Si vous devez encore vous reconnecter, demandez-lui un nouveau lien.",
    handoffAsks: (who, tool, org) => who ? \`\${who} vous demande, en tant qu'administrateur, de reconnecter \${tool} pour \${org}.\` : \`On vous demande, en tant qu'administrateur, de reconnecter \${tool} pour \${org}.\`,
    exitTitle: "Rien n'a été modifié",
    exitLead: "Vous avez fermé la reconnexion avant la fin.",
    restart: "Recommencer",
    supersededTitle: "Déjà reconnecté",
    supersededLead: (date) => \`Quelqu’un d’autre a reconnecté cette intégration le \${date}. Vous n’avez plus rien à faire : vous pouvez fermer cette page.\`,
    handedOffTitle: "Envoyé à votre administrateur",
    handedOffLead: "Une fois que votre administrateur aura reconnecté avec le lien copié, vous n’aurez plus rien à faire. Vous pouvez fermer cette page.",
    incomplete: "Ce lien est incomplet. Ouvrez le lien complet que vous avez reçu ou demandez-en un nouveau.",
  },
  it: {
    title: "Ricollega il tuo account",
    asks: (product, tool, org) => product ? \`\${product} ti chiede di ricollegare \${tool} per \${org}.\` : \`Ti è stato chiesto di ricollegare \${tool} per \${org}.\`,
    doneTitle: "Ricollegato",
    doneLead: (tool, org) => \`\${tool} è di nuovo collegato per \${org}.\`,
    doneWho: (product) => product ? \`\${product} ha chiesto questo ricollegamento e può di nuovo usare il collegamento.\` : "Il servizio che ti ha inviato questo link può di nuovo usare il collegamento.",
    doneClose: "Non serve altro: puoi chiudere questa pagina.",
    revokedTitle: "Questo link è stato revocato",
    revokedLead: (product) => product ? \`\${product} ha revocato questo link, che non può più essere usato. Se devi ancora ricollegarti, chiedi a \${product} un nuovo link.\` : "Il mittente ha revocato questo link, che non può più essere usato. Se devi ancora ricollegarti, chiedigli un nuovo link.",
    handoffAsks: (who, tool, org) => who ? \`\${who} ti chiede, come amministratore, di ricollegare \${tool} per \${org}.\` : \`Qualcuno ti chiede, come amministratore, di ricollegare \${tool} per \${org}.\`,
    exitTitle: "Non è cambiato nulla",
    exitLead: "Hai chiuso il ricollegamento prima della fine.",
    restart: "Ricomincia",
    supersededTitle: "Già ricollegato",
    supersededLead: (date) => \`Qualcun altro ha ricollegato questa integrazione il \${date}. Non devi fare altro: puoi chiudere questa pagina.\`,
    handedOffTitle: "Inviato al tuo amministratore",
    handedOffLead: "Quando il tuo amministratore avrà ricollegato con il link che hai copiato, non dovrai fare altro. Puoi chiudere questa pagina.",
    incomplete: "Questo link è incompleto. Apri il link completo che hai ricevuto o chiedine uno nuovo.",
  },
  es: {
    title: "Vuelve a conectar tu cuenta",
    asks: (product, tool, org) => product ? \`\${product} te pide que vuelvas a conectar \${tool} para \${org}.\` : \`Se te ha pedido que vuelvas a conectar \${tool} para \${org}.\`,
    doneTitle: "Conectado de nuevo",
    doneLead: (tool, org) => \`\${tool} vuelve a estar conectado para \${org}.\`,
    doneWho: (product) => product ? \`\${product} pidió esta reconexión y puede volver a usar la conexión.\` : "El servicio que te envió este enlace puede volver a usar la conexión.",
    doneClose: "No hace falta nada más: puedes cerrar esta página.",
    revokedTitle: "Este enlace fue revocado",
    revokedLead: (product) => product ? \`\${product} revocó este enlace y ya no se puede usar. Si aún necesitas volver a conectar, pide a \${product} un enlace nuevo.\` : "El remitente revocó este enlace y ya no se puede usar. Si aún necesitas volver a conectar, pídele un enlace nuevo.",
    handoffAsks: (who, tool, org) => who ? \`\${who} te pide, como administrador, que vuelvas a conectar \${tool} para \${org}.\` : \`Alguien te pide, como administrador, que vuelvas a conectar \${tool} para \${org}.\`,
    exitTitle: "No se cambió nada",
    exitLead: "Cerraste la reconexión antes de que terminara.",
    restart: "Empezar de nuevo",
    supersededTitle: "Ya se volvió a conectar",
    supersededLead: (date) => \`Otra persona volvió a conectar esta integración el \${date}. No tienes que hacer nada más: puedes cerrar esta página.\`,
    handedOffTitle: "Enviado a tu administrador",
    handedOffLead: "Cuando tu administrador vuelva a conectar con el enlace que copiaste, no tendrás que hacer nada más. Puedes cerrar esta página.",
    incomplete: "Este enlace está incompleto. Abre el enlace completo que recibiste o pide uno nuevo.",
  },
  nl: {
    title: "Je account opnieuw koppelen",
    asks: (product, tool, org) => product ? \`\${product} vraagt je \${tool} opnieuw te koppelen voor \${org}.\` : \`Je is gevraagd \${tool} opnieuw te koppelen voor \${org}.\`,
    doneTitle: "Opnieuw gekoppeld",
    doneLead: (tool, org) => \`\${tool} is weer gekoppeld voor \${org}.\`,
    doneWho: (product) => product ? \`\${product} heeft om deze koppeling gevraagd en kan de verbinding weer gebruiken.\` : "De dienst die je deze link heeft gestuurd, kan de verbinding weer gebruiken.",
    doneClose: "Verder hoef je niets te doen: je kunt deze pagina sluiten.",
    revokedTitle: "Deze link is ingetrokken",
    revokedLead: (product) => product ? \`\${product} heeft deze link ingetrokken; hij kan niet meer worden gebruikt. Moet je nog opnieuw koppelen, vraag \${product} dan om een nieuwe link.\` : "De afzender heeft deze link ingetrokken; hij kan niet meer worden gebruikt. Moet je nog opnieuw koppelen, vraag dan om een nieuwe link.",
    handoffAsks: (who, tool, org) => who ? \`\${who} vraagt je, als beheerder, \${tool} opnieuw te koppelen voor \${org}.\` : \`Iemand vraagt je, als beheerder, \${tool} opnieuw te koppelen voor \${org}.\`,
    exitTitle: "Er is niets gewijzigd",
    exitLead: "Je hebt het koppelen gesloten voordat het klaar was.",
    restart: "Opnieuw beginnen",
    supersededTitle: "Al opnieuw gekoppeld",
    supersededLead: (date) => \`Iemand anders heeft deze integratie op \${date} opnieuw gekoppeld. Je hoeft niets meer te doen: je kunt deze pagina sluiten.\`,
    handedOffTitle: "Naar je beheerder gestuurd",
    handedOffLead: "Zodra je beheerder opnieuw heeft gekoppeld met de link die je hebt gekopieerd, hoef je niets meer te doen. Je kunt deze pagina sluiten.",
    incomplete: "Deze link is onvolledig. Open de volledige link die je hebt ontvangen of vraag om een nieuwe.",
  },
  pl: {
    title: "Połącz ponownie swoje konto",
    asks: (product, tool, org) => product ? \`\${product} prosi Cię o ponowne połączenie \${tool} dla organizacji \${org}.\` : \`Poproszono Cię o ponowne połączenie \${tool} dla organizacji \${org}.\`,
    doneTitle: "Połączono ponownie",
    doneLead: (tool, org) => \`\${tool} jest znowu połączony dla organizacji \${org}.\`,
    doneWho: (product) => product ? \`\${product} poprosił o to połączenie i może znowu z niego korzystać.\` : "Usługa, która wysłała Ci ten link, może znowu korzystać z połączenia.",
    doneClose: "Nic więcej nie trzeba robić: możesz zamknąć tę stronę.",
    revokedTitle: "Ten link został unieważniony",
    revokedLead: (product) => product ? \`\${product} unieważnił ten link i nie można go już użyć. Jeśli nadal musisz połączyć ponownie, poproś \${product} o nowy link.\` : "Nadawca unieważnił ten link i nie można go już użyć. Jeśli nadal musisz połączyć ponownie, poproś o nowy link.",
    handoffAsks: (who, tool, org) => who ? \`\${who} prosi Cię jako administratora o ponowne połączenie \${tool} dla \${org}.\` : \`Ktoś prosi Cię jako administratora o ponowne połączenie \${tool} dla \${org}.\`,
    exitTitle: "Nic nie zostało zmienione",
    exitLead: "Zamknięto ponowne łączenie przed jego zakończeniem.",
    restart: "Zacznij od nowa",
    supersededTitle: "Już połączono ponownie",
    supersededLead: (date) => \`Ktoś inny ponownie połączył tę integrację (\${date}). Nie musisz już nic robić: możesz zamknąć tę stronę.\`,
    handedOffTitle: "Wysłano do administratora",
    handedOffLead: "Gdy administrator połączy ponownie za pomocą skopiowanego linku, nie musisz już nic robić. Możesz zamknąć tę stronę.",
    incomplete: "Ten link jest niekompletny. Otwórz cały otrzymany link albo poproś o nowy.",
  },
  sv: {
    title: "Anslut ditt konto igen",
    asks: (product, tool, org) => product ? \`\${product} ber dig ansluta \${tool} igen för \${org}.\` : \`Du har ombetts att ansluta \${tool} igen för \${org}.\`,
    doneTitle: "Ansluten igen",
    doneLead: (tool, org) => \`\${tool} är anslutet igen för \${org}.\`,
    doneWho: (product) => product ? \`\${product} bad om den här anslutningen och kan använda den igen.\` : "Tjänsten som skickade länken till dig kan använda anslutningen igen.",
    doneClose: "Inget mer behövs: du kan stänga den här sidan.",
    revokedTitle: "Länken har återkallats",
    revokedLead: (product) => product ? \`\${product} har återkallat länken, så den kan inte längre användas. Om du fortfarande behöver ansluta igen ber du \${product} om en ny länk.\` : "Avsändaren har återkallat länken, så den kan inte längre användas. Om du fortfarande behöver ansluta igen ber du om en ny länk.",
    handoffAsks: (who, tool, org) => who ? \`\${who} ber dig, som administratör, att ansluta \${tool} igen för \${org}.\` : \`Någon ber dig, som administratör, att ansluta \${tool} igen för \${org}.\`,
    exitTitle: "Inget har ändrats",
    exitLead: "Du stängde anslutningen innan den var klar.",
    restart: "Börja om",
    supersededTitle: "Redan ansluten igen",
    supersededLead: (date) => \`Någon annan anslöt den här integrationen igen den \${date}. Du behöver inte göra något mer: du kan stänga den här sidan.\`,
    handedOffTitle: "Skickat till din administratör",
    handedOffLead: "När din administratör har anslutit igen med länken du kopierade behöver du inte göra något mer. Du kan stänga den här sidan.",
    incomplete: "Länken är ofullständig. Öppna hela länken du fick eller be om en ny.",
  },
  da: {
    title: "Forbind din konto igen",
    asks: (product, tool, org) => product ? \`\${product} beder dig forbinde \${tool} igen for \${org}.\` : \`Du er blevet bedt om at forbinde \${tool} igen for \${org}.\`,
    doneTitle: "Forbundet igen",
    doneLead: (tool, org) => \`\${tool} er forbundet igen for \${org}.\`,
    doneWho: (product) => product ? \`\${product} bad om denne forbindelse og kan bruge den igen.\` : "Tjenesten, der sendte dig dette link, kan bruge forbindelsen igen.",
    doneClose: "Der skal ikke gøres mere: du kan lukke denne side.",
    revokedTitle: "Linket er tilbagekaldt",
    revokedLead: (product) => product ? \`\${product} har tilbagekaldt linket, så det kan ikke længere bruges. Hvis du stadig skal forbinde igen, så bed \${product} om et nyt link.\` : "Afsenderen har tilbagekaldt linket, så det kan ikke længere bruges. Hvis du stadig skal forbinde igen, så bed om et nyt link.",
    handoffAsks: (who, tool, org) => who ? \`\${who} beder dig som administrator om at forbinde \${tool} igen for \${org}.\` : \`Nogen beder dig som administrator om at forbinde \${tool} igen for \${org}.\`,
    exitTitle: "Intet blev ændret",
    exitLead: "Du lukkede forbindelsen, før den var færdig.",
    restart: "Start forfra",
    supersededTitle: "Allerede forbundet igen",
    supersededLead: (date) => \`En anden forbandt denne integration igen den \${date}. Du behøver ikke gøre mere: du kan lukke denne side.\`,
    handedOffTitle: "Sendt til din administrator",
    handedOffLead: "Når din administrator har forbundet igen med det link, du kopierede, behøver du ikke gøre mere. Du kan lukke denne side.",
    incomplete: "Linket er ufuldstændigt. Åbn hele det link, du har fået, eller bed om et nyt.",
  },
  ja: {
    title: "アカウントを再接続",
    asks: (product, tool, org) => product ? \`\${product} から、\${org} の \${tool} の再接続を依頼されています。\` : \`\${org} の \${tool} の再接続を依頼されています。\`,
    doneTitle: "再接続しました",
    doneLead: (tool, org) => \`\${org} の \${tool} が再び接続されました。\`,
    doneWho: (product) => product ? \`この再接続を依頼した \${product} は、再び接続を利用できます。\` : "このリンクを送信したサービスは、再び接続を利用できます。",
    doneClose: "これ以上の操作は不要です。このページを閉じてかまいません。",
    revokedTitle: "このリンクは取り消されました",
    revokedLead: (product) => product ? \`\${product} がこのリンクを取り消したため、使用できなくなりました。再接続が必要な場合は、\${product} に新しいリンクを依頼してください。\` : "送信者がこのリンクを取り消したため、使用できなくなりました。再接続が必要な場合は、新しいリンクを依頼してください。",
    handoffAsks: (who, tool, org) => who ? \`\${who} から、管理者として \${org} の \${tool} を再接続するよう依頼されています。\` : \`管理者として \${org} の \${tool} を再接続するよう依頼されています。\`,
    exitTitle: "何も変更されていません",
    exitLead: "再接続が完了する前に閉じられました。",
    restart: "最初からやり直す",
    supersededTitle: "すでに再接続されています",
    supersededLead: (date) => \`\${date} に別のユーザーがこの連携を再接続しました。これ以上の操作は不要です。このページを閉じてかまいません。\`,
    handedOffTitle: "管理者に送信しました",
    handedOffLead: "コピーしたリンクで管理者が再接続すれば、あなたの操作は不要です。このページを閉じてかまいません。",
    incomplete: "このリンクは不完全です。受け取ったリンク全体を開くか、新しいリンクを依頼してください。",
  },
};

const params = new URLSearchParams(location.hash.slice(1));
const token = params.get("token");
history.replaceState(null, "", location.pathname + location.search);
const content = document.getElementById("content");

let claims = {};
try {
  const payload = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
  claims = JSON.parse(atob(payload)) ?? {};
} catch {}
const locale = typeof claims.locale === "string" && STRINGS[claims.locale] ? claims.locale : "en";
const t = STRINGS[locale];
document.documentElement.lang = locale;
document.title = t.title;

/** A panel of the page's own: a heading and paragraphs, as text (never HTML), focused for screen readers. */
function notice(mark, title, paragraphs, action) {
  const box = document.createElement("section");
  box.className = "notice";
  box.setAttribute("part", "notice");
  if (mark) {
    const icon = document.createElement("div");
    icon.className = "mark";
    icon.setAttribute("aria-hidden", "true");
    icon.textContent = mark;
    box.append(icon);
  }
  const heading = document.createElement("h1");
  heading.tabIndex = -1;
  heading.textContent = title;
  box.append(heading);
  for (const text of paragraphs) {
    const p = document.createElement("p");
    p.textContent = text;
    box.append(p);
  }
  if (action) box.append(action);
  content.replaceChildren(box);
  heading.focus();
}

let product = null;
/** The workspace's brand: who asks. Text and an https image only. */
function brand(branding) {
  if (!branding) return;
  product = typeof branding.product_name === "string" ? branding.product_name : null;
  if (product) {
    document.getElementById("brand-name").textContent = product;
    document.getElementById("brand").hidden = false;
    document.title = \`\${product}: \${t.title}\`;
  }
  const logo = document.getElementById("brand-logo");
  if (product && typeof branding.logo_url === "string" && branding.logo_url.startsWith("https://")) {
    logo.src = branding.logo_url;
    logo.hidden = false;
    logo.addEventListener("error", () => { logo.hidden = true; });
  }
}

/** Black or white, whichever reads better on the accent colour (WCAG relative luminance). */
function textOn(hex) {
  const channel = (i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const l = 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
  return (l + 0.05) / 0.05 >= 1.05 / (l + 0.05) ? "#000000" : "#ffffff";
}

/** Someone else reconnected this integration (FLOW_SUPERSEDED): not an error, nothing more to do. */
function superseded(supersededAt) {
  document.getElementById("asker").hidden = true;
  const at = new Date(String(supersededAt ?? ""));
  const date = Number.isNaN(at.getTime()) ? "" : new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" }).format(at);
  notice("\u2713", t.supersededTitle, [t.supersededLead(date)]);
}

function revoked() {
  document.getElementById("asker").hidden = true;
  notice("!", t.revokedTitle, [t.revokedLead(product)]);
}

async function readFlow() {
  try {
    const response = await fetch("/connect/v1/flow", { headers: { authorization: \`Bearer \${token}\` } });
    const body = await response.json();
    if (response.ok) return { flow: body };
    const details = body?.error?.details;
    return { code: body?.error?.code ?? null, branding: details?.branding ?? null, supersededAt: details?.superseded_at ?? null };
  } catch {
    return {};
  }
}

if (!token) {
  notice(null, t.title, [t.incomplete]);
} else {
  const read = await readFlow();
  const flow = read.flow ?? null;
  brand(flow ? flow.branding : read.branding);
  if (read.code === "LINK_REVOKED") {
    revoked();
  } else if (read.code === "FLOW_SUPERSEDED") {
    superseded(read.supersededAt);
  } else {
    const tool = flow?.tool?.name ?? null;
    const org = flow?.end_user?.organization_name ?? null;
    if (tool && org) {
      const asker = document.getElementById("asker");
      asker.textContent = flow?.handoff
        ? t.handoffAsks(flow.handoff.requested_by, tool, org)
        : t.asks(product, tool, org);
      asker.hidden = false;
    }
    await customElements.whenDefined("relink-connect");
    const element = document.createElement("relink-connect");
    element.setAttribute("mode", "inline");
    element.setAttribute("server", location.origin);
    if (claims.locale) element.setAttribute("locale", locale);
    const accent = flow?.branding?.accent_color;
    if (typeof accent === "string" && /^#[0-9a-f]{6}$/i.test(accent)) {
      element.style.setProperty("--relink-accent", accent);
      element.style.setProperty("--relink-accent-text", textOn(accent));
    }
    element.token = token;
    let finished = false;
    element.addEventListener("relink-success", () => {
      finished = true;
      document.getElementById("asker").hidden = true;
      const name = tool ?? flow?.tool?.name ?? "";
      notice("\u2713", t.doneTitle, [t.doneLead(name, org ?? ""), t.doneWho(product), t.doneClose]);
    });
    element.addEventListener("relink-superseded", (event) => {
      finished = true;
      superseded(event.detail?.superseded_at);
    });
    element.addEventListener("relink-error", (event) => {
      if (event.detail?.code === "LINK_REVOKED") {
        finished = true;
        revoked();
      }
    });
    element.addEventListener("relink-exit", (event) => {
      if (finished) return;
      const reason = String(event.detail?.reason ?? "");
      if (reason === "HANDED_OFF") {
        document.getElementById("asker").hidden = true;
        notice(null, t.handedOffTitle, [t.handedOffLead]);
        return;
      }
      let action = null;
      if (!reason.startsWith("TOKEN_")) {
        action = document.createElement("button");
        action.type = "button";
        action.textContent = t.restart;
        action.addEventListener("click", () => {
          content.replaceChildren(element);
          element.show();
        });
      }
      notice(null, t.exitTitle, [t.exitLead], action);
    });
    content.replaceChildren(element);
  }
}
`;

/**
 * The OAuth callback page: reports to the opener, at exactly `targetOrigin`, and closes. Without
 * an origin to report to (unknown sign-in), it only shows the outcome.
 */
export function oauthCallbackPage(
  message: OAuthCallbackMessage,
  targetOrigin: string | null,
  nonce: string,
): string {
  const ok = message.status === "COMPLETED";
  const title = ok ? "Connected" : "Could not connect";
  const text = ok
    ? "You can close this window and go back to the page you came from."
    : `${message.message} Close this window and try again from the page you came from.`;
  const script =
    targetOrigin === null
      ? ""
      : `<script nonce="${nonce}">
(() => {
  const message = ${scriptJson(message)};
  const origin = ${scriptJson(targetOrigin)};
  if (window.opener) {
    window.opener.postMessage(message, origin);
    window.close();
  }
})();
</script>`;
  return page(title, `<main><h1>${escapeHtml(title)}</h1><p>${escapeHtml(text)}</p></main>\n${script}`);
}
