/**
 * The demo HR system in its own process (the tool whose auth check answers at once over
 * 127.0.0.1, for the sync sessions benchmark); reports `{ url }` over IPC.
 */
import { startDemoHris } from "@relink/demo-hris";

const hris = await startDemoHris({ port: 0, host: "127.0.0.1" });
process.send?.({ url: hris.url });
const stop = () => void hris.close().then(() => process.exit(0));
process.on("SIGTERM", stop);
process.on("disconnect", stop);
