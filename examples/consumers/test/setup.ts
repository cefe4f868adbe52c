import { ensureConsumerProject } from "./consumer-project.ts";
import { useConsumerProject } from "./support.ts";

// Before each test file: the project with the packed tarballs installed (built by the first file
// that asks, reused by the others).
useConsumerProject(await ensureConsumerProject());
