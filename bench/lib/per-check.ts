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

/**
 * One simulated day's checks and their cost per check (`SimulationFigures.byDay`): CPU with the
 * kernel's, the event loop's thread's and GC's shares, and the read and write system calls, for
 * the simulation's log and the 1M run's rows.
 */
export function dayNote(day: NonNullable<SimulationFigures["byDay"]>[number]): string {
  const checks = Math.max(1, day.checks);
  const us = (ms: number) => ((ms * 1000) / checks).toFixed(0);
  const per = (n: number | undefined, what: string) =>
    n === undefined ? "" : `, ${(n / checks).toFixed(1)} ${what}`;
  const written =
    day.writtenBytes === undefined ? "" : ` (${(day.writtenBytes / 1024 / checks).toFixed(1)} KiB)`;
  return `${day.checks.toLocaleString("en")} checks; per check ${us(day.cpuMs)} µs of CPU (the kernel's ${us(day.systemMs)}${day.mainThreadMs === undefined ? "" : `, the event loop's thread ${us(day.mainThreadMs)}`}, GC ${us(day.gcMs)})${per(day.reads, "read")}${per(day.writes, "write system calls")}${written}`;
}
