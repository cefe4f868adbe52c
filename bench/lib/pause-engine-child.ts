/**
 * `runPauseEngineBench` (exported by `bench/pause-engine.ts`) in a process of its own: its peak RSS
 * is then the benchmark's alone, and its CPU is not shared with the suite. Options as JSON in
 * argv[2]; progress lines on stderr; the result as JSON on the last line of stdout.
 */
import { type PauseEngineBenchOptions, runPauseEngineBench } from "../pause-engine.ts";

const options = JSON.parse(process.argv[2] ?? "{}") as PauseEngineBenchOptions;
const result = await runPauseEngineBench({ ...options, log: (line) => console.error(line) });
process.stdout.write(`\n${JSON.stringify(result)}\n`);
