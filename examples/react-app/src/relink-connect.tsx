// #region component
import type {
  RelinkConnect as RelinkConnectElement,
  RelinkErrorDetail,
  RelinkExitDetail,
  RelinkStepDetail,
  RelinkSuccessDetail,
} from "@relink/widget";
import { type CSSProperties, type DetailedHTMLProps, type HTMLAttributes, useEffect, useRef } from "react";

declare module "react" {
  namespace JSX {
    interface IntrinsicElements {
      "relink-connect": DetailedHTMLProps<HTMLAttributes<RelinkConnectElement>, RelinkConnectElement> & {
        server?: string;
        mode?: "modal" | "inline";
        locale?: string;
        theme?: "light" | "dark" | "auto";
      };
    }
  }
}

/** `--relink-*` custom properties, typed so a typo is a type error. */
export type RelinkTheme = Partial<
  Record<
    | "--relink-accent"
    | "--relink-accent-text"
    | "--relink-surface"
    | "--relink-text"
    | "--relink-radius"
    | "--relink-font"
    | "--relink-width",
    string
  >
>;

export interface RelinkConnectProps {
  /** The flow token from your backend; set as a property, never an attribute. */
  token: string | null;
  server: string;
  mode?: "modal" | "inline";
  locale?: "en" | "de" | "fr" | "it" | "es";
  /** Modal mode: shown while true. */
  open?: boolean;
  theme?: RelinkTheme;
  onSuccess?: (detail: RelinkSuccessDetail) => void;
  onExit?: (detail: RelinkExitDetail) => void;
  onError?: (detail: RelinkErrorDetail) => void;
  onStep?: (detail: RelinkStepDetail) => void;
}

/** `<relink-connect>` for React: typed props and events; the element itself is defined by `@relink/widget`. */
export function RelinkConnect({
  token,
  server,
  mode = "modal",
  locale,
  open,
  theme,
  ...on
}: RelinkConnectProps) {
  const ref = useRef<RelinkConnectElement>(null);
  const handlers = useRef(on);
  handlers.current = on;

  useEffect(() => {
    if (ref.current) ref.current.token = token ?? "";
  }, [token]);

  useEffect(() => {
    const element = ref.current;
    if (!element || mode !== "modal") return;
    if (open && !element.open) element.show();
    if (!open && element.open) element.hide();
  }, [open, mode]);

  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    const success = (e: CustomEvent<RelinkSuccessDetail>) => handlers.current.onSuccess?.(e.detail);
    const exit = (e: CustomEvent<RelinkExitDetail>) => handlers.current.onExit?.(e.detail);
    const error = (e: CustomEvent<RelinkErrorDetail>) => handlers.current.onError?.(e.detail);
    const step = (e: CustomEvent<RelinkStepDetail>) => handlers.current.onStep?.(e.detail);
    element.addEventListener("relink-success", success);
    element.addEventListener("relink-exit", exit);
    element.addEventListener("relink-error", error);
    element.addEventListener("relink-step", step);
    return () => {
      element.removeEventListener("relink-success", success);
      element.removeEventListener("relink-exit", exit);
      element.removeEventListener("relink-error", error);
      element.removeEventListener("relink-step", step);
    };
  }, []);

  return (
    <relink-connect ref={ref} server={server} mode={mode} locale={locale} style={theme as CSSProperties} />
  );
}
// #endregion component
