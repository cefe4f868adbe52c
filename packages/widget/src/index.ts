export { RelinkConnect } from "./define.ts";
export type { Translation } from "./locales/en.ts";
export {
  type OpenRelinkOptions,
  openRelink,
  RelinkCancelledError,
  type RelinkResult,
} from "./open-relink.ts";
export type {
  RelinkErrorCode,
  RelinkErrorDetail,
  RelinkEventMap,
  RelinkExitDetail,
  RelinkStepDetail,
  RelinkSuccessDetail,
} from "./relink-connect/types.ts";
