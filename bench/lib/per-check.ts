import type { SimulationFigures } from "../pause-engine.ts";

/** KiB read and written per check, when the run counted them. */
function bytes(io: NonNullable<SimulationFigures["syscalls"]>, checks: number): string {
  if (io.readBytes === undefined || io.writtenBytes === undefined) return "";
  return ` (${(io.readBytes / 1024 / checks).toFixed(1)} KiB read, ${(io.writtenBytes / 1024 / checks).toFixed(1)} KiB written)`;
}

/**
 * CPU time and page I/O (system calls and bytes) per check of a simulation, and how its event loop's thread
 * spent the wall time, for its log line and notes.
 */
export function perCheck(sim: SimulationFigures): string {
  const checks = Math.max(1, sim.checks);
  const io = sim.syscalls
    ? `, ${(sim.syscalls.reads / checks).toFixed(1)} read and ${(sim.syscalls.writes / checks).toFixed(1)} write system calls${bytes(sim.syscalls, checks)}`
    : "";
  const thread = sim.mainThread
    ? `; the event loop's thread ${((sim.mainThread.cpuMs * 1000) / checks).toFixed(0)} µs of CPU per check, blocked (the disk) ${((sim.mainThread.blockedMs / sim.wallMs) * 100).toFixed(0)}% and waiting for a core ${((sim.mainThread.runqueueMs / sim.wallMs) * 100).toFixed(0)}% of the wall time`
    : "";
  return `per check ${((sim.cpuMs * 1000) / checks).toFixed(0)} µs of CPU${io}${thread}`;
}
