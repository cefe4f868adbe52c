export {
  type CustomerBackend,
  type CustomerBackendEnv,
  type CustomerBackendOptions,
  createCustomerBackend,
} from "./app.ts";
export { type Customer, type CustomerInit, CustomerStore, type ReconnectReason } from "./customers.ts";
export { type DemoControlsOptions, demoControls } from "./demo-controls.ts";
export { type RunningCustomerBackend, startCustomerBackend } from "./serve.ts";
export { applyWebhook, type ReceivedWebhook, type RefusedWebhook, WebhookLog } from "./webhooks.ts";
