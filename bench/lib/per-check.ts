import type { SimulationFigures } from "../pause-engine.ts";

/** CPU time and page I/O system calls per check of a simulation, for its log line and notes. */
export function perCheck(sim: SimulationFigures): string {
  const checks = Math.max(1, sim.checks);
  const io = sim.syscalls
    ? `, ${(sim.syscalls.reads / checks).toFixed(1)} read and ${(sim.syscalls.writes / checks).toFixed(1)} write system calls`
    : "";
  return `per check ${((sim.cpuMs * 1000) / checks).toFixed(0)} µs of CPU${io}`;
}
