import type { Translation } from "./en.ts";

/** Polish plural forms: 1, 2–4 (not 12–14), and the rest. */
const plural = (n: number, one: string, few: string, many: string) =>
  n === 1 ? one : n % 10 >= 2 && n % 10 <= 4 && (n % 100 < 12 || n % 100 > 14) ? few : many;

const pl: Translation = {
  lang: "pl",
  close: "Zamknij",
  cancel: "Anuluj",
  back: "Wstecz",
  continue: "Dalej",
  tryAgain: "Spróbuj ponownie",
  loading: "Ładowanie…",
  stepOf: (step, steps) => `Krok ${step} z ${steps}`,
  newLink: "Poproś osobę, która go wysłała, o nowy link.",

  introTitleRelink: (tool) => `Połącz ponownie ${tool}`,
  introTitleConnect: (tool) => (tool ? `Połącz ${tool}` : "Połącz swoje narzędzie"),
  introLeadRelink: (organization, tool) =>
    `Połączenie organizacji ${organization} z narzędziem ${tool} wymaga Twojej uwagi.`,
  introLeadConnect: (organization, tool) =>
    `Połącz konto ${tool ? `${tool} ` : ""}organizacji ${organization}, aby można było synchronizować jej dane.`,
  introNewPermissions: (count) =>
    `Teraz potrzeba o ${count} ${plural(count, "uprawnienie", "uprawnienia", "uprawnień")} więcej, niż dają obecne dane logowania.`,
  introCredentials: "Wpisz nowe dane logowania, aby dane nadal się synchronizowały.",
  introScope: (from, to) => `Udostępniane dane zmieniają się z „${from}” na „${to}”.`,
  introExpires: (date) => `Ten link jest ważny do ${date}.`,
  start: "Zaczynajmy",

  toolTitle: "Wybierz swoje narzędzie",
  toolLead: (organization) => `Z jakiego systemu korzysta ${organization}?`,

  permissionsTitle: "Uprawnienia do nadania",
  permissionsLead: (tool, count) =>
    count === 1
      ? `Dane logowania wymagają tego uprawnienia w ${tool}:`
      : `Dane logowania wymagają tych ${count} uprawnień w ${tool}:`,
  permissionsLeadOAuth: (tool, count) =>
    count === 1
      ? `${tool} poprosi Cię o zatwierdzenie tego uprawnienia:`
      : `${tool} poprosi Cię o zatwierdzenie tych ${count} uprawnień:`,
  newBadge: "Nowe",
  whereToGrant: "Gdzie je nadać:",
  optionalTitle: "Dane opcjonalne",
  optionalLead: "Odznacz to, czego wolisz nie udostępniać.",

  credentialsTitle: (tool) => `Twoje dane logowania do ${tool}`,
  credentialsLead: (organization, tool) =>
    `Wpisz dane logowania do konta ${tool} organizacji ${organization}.`,
  showSecret: (label) => `Pokaż: ${label}`,
  required: (label) => `Pole „${label}” jest wymagane.`,
  optionalField: "opcjonalne",
  submit: "Połącz",
  oauthTitle: (tool) => `Zaloguj się do ${tool}`,
  oauthLead: (tool) => `Zaloguj się do ${tool} w nowym oknie i zatwierdź dostęp.`,
  oauthButton: (tool) => `Kontynuuj z ${tool}`,
  oauthWaiting: (tool) => `Dokończ w oknie ${tool}…`,
  popupBlocked: "Nie udało się otworzyć okna. Zezwól na wyskakujące okna dla tej witryny i spróbuj ponownie.",
  popupClosed: "Okno zostało zamknięte przed zakończeniem. Spróbuj ponownie.",
  oauthDenied: (tool) =>
    `Dostęp nie został zatwierdzony w ${tool}. Spróbuj ponownie i zatwierdź go, aby kontynuować.`,

  checkingTitle: "Sprawdzanie…",
  checkingLead: (tool) => `Sprawdzamy dane logowania i uprawnienia w ${tool}.`,

  successTitle: "Połączono",
  successLead: (organization, tool) =>
    `Konto ${tool} organizacji ${organization} jest połączone. Synchronizacja zaczyna się teraz.`,
  successAccountLead: (account, tool) =>
    `Konto ${tool} „${account}” jest teraz połączone. Synchronizacja zaczyna się teraz.`,
  accountAlreadyConnected: (tool, organization) =>
    `To konto ${tool} jest już połączone z inną organizacją. Jeśli nie jest to konto organizacji ${organization}, zaloguj się do ${tool} na właściwe konto i połącz ponownie.`,
  done: "Gotowe",

  invalidTitle: "Te dane logowania nie zadziałały",
  invalidLead: (tool) => `${tool} je odrzucił. Sprawdź je i spróbuj ponownie.`,
  missingTitle: (count) => (count === 1 ? "Brakuje 1 uprawnienia" : `Brakuje ${count} uprawnień`),
  missingLead: (tool) => `Dane logowania działają, ale ${tool} nie daje wszystkiego, co potrzebne. Nadaj:`,
  checkAgain: "Sprawdź ponownie",
  otherCredentials: "Użyj innych danych logowania",
  mismatchTitle: "To inne konto",
  mismatchLead: (organization, tool) =>
    `Te dane logowania należą do innego konta ${tool}. Użyj danych logowania konta organizacji ${organization}.`,
  expiredTitle: "Ten link wygasł",
  expiredLead: "Ze względów bezpieczeństwa linki są ważne przez ograniczony czas.",
  usedTitle: "Ten link został już użyty",
  usedLead: "Każdy link pozwala ukończyć tylko jedno połączenie.",
  tokenTitle: "Ten link jest nieprawidłowy",
  tokenLead: "Może być niekompletny lub unieważniony.",
  unreachableTitle: (tool) => `Nie udało się połączyć z ${tool}`,
  unreachableLead: "Nic nie zostało zmienione. Spróbuj ponownie za chwilę.",
  rateTitle: "Zbyt wiele prób",
  rateLead: "Odczekaj minutę i spróbuj ponownie.",
  networkTitle: "Brak połączenia",
  networkLead: "Nie udało się połączyć z serwerem relink. Sprawdź połączenie i spróbuj ponownie.",
  genericTitle: "Coś poszło nie tak",
  genericLead: "Nic nie zostało zmienione. Spróbuj ponownie.",

  confirmTitle: "Odrzucić wpisane dane?",
  confirmLead: "Wpisane dane logowania zostaną utracone.",
  keepEditing: "Edytuj dalej",
  discard: "Odrzuć i zamknij",

  handoffAsked: (who, tool) =>
    `${who ?? "Ktoś z Twojego zespołu"} prosi Cię o ponowne połączenie ${tool ?? "tego narzędzia"}, bo wymaga to administratora.`,
  supersededTitle: "Już połączono ponownie",
  supersededLead: (date) => `Ktoś inny ponownie połączył tę integrację (${date}). Nie musisz już nic robić.`,
  handoffButton: "Nie jestem administratorem — wyślij to mojemu administratorowi",
  handoffTitle: "Wyślij to administratorowi",
  handoffLead: (organization, tool) =>
    `Utwórz link dla administratora konta ${tool} organizacji ${organization}. Otworzy on to samo zgłoszenie, z tymi samymi uprawnieniami.`,
  handoffName: "Twoje imię i nazwisko lub e-mail",
  handoffCreate: "Utwórz link",
  handoffDoneTitle: "Link dla Twojego administratora",
  handoffDoneLead: (tool) =>
    `Wyślij ten link swojemu administratorowi. Gdy ponownie połączy ${tool}, nie musisz już nic robić.`,
  handoffLink: "Link",
  handoffCopy: "Kopiuj",
  handoffCopied: "Skopiowano link.",
  handoffCopyManual: "Link jest zaznaczony: skopiuj go za pomocą klawiatury.",
  handoffExpires: (date) => `Link działa do ${date}.`,

  embedded: {
    introExpires: (date) => `Masz czas do ${date}.`,
    newLink: "Zacznij od nowa, aby kontynuować.",
    expiredTitle: "Ta sesja wygasła",
    expiredLead: "Ze względów bezpieczeństwa każda sesja jest ważna przez ograniczony czas.",
    usedTitle: "Ta sesja jest już zakończona",
    usedLead: "Każda sesja pozwala ukończyć tylko jedno połączenie.",
    tokenTitle: "Ta sesja jest nieprawidłowa",
    tokenLead: "Może być niekompletna lub unieważniona.",
  },
};

export default pl;
