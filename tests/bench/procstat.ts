// What the machine is doing, read from /proc (Linux): CPU time of the whole machine and of chosen
// processes, and the resident memory of a process. The benchmark uses it to say how much CPU its own
// processes used during a measured window and how much went to everything else on the machine.
import { readFileSync } from 'node:fs';

interface MachineTicks {
  busy: number;
  total: number;
  cpus: number;
}

function machineTicks(): MachineTicks {
  const lines = readFileSync('/proc/stat', 'utf8').split('\n');
  const fields = lines[0]!.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal guest guest_nice; guest time is already in user.
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = fields;
  const busy = user + nice + system + irq + softirq + steal;
  return { busy, total: busy + idle + iowait, cpus: lines.filter((line) => /^cpu\d+ /.test(line)).length };
}

/** utime + stime of a process, all its threads, in clock ticks; undefined when it is gone. */
export function processTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(rest[11]) + Number(rest[12]);
  } catch {
    return undefined;
  }
}

/** Resident memory of a process, in KiB (VmRSS); undefined when it is gone. */
export function residentKiB(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** The process's peak resident set so far (VmHWM), KiB; undefined when it has gone. */
export function peakResidentKiB(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(status);
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

export type PidGroups = Record<string, number[]>;

export interface CpuReport {
  seconds: number;
  cpus: number;
  /** Cores used by each named group of processes, on average over the window. */
  groups: Record<string, number>;
  /** Cores used by every other process on the machine (and the kernel on their behalf). */
  others: number;
  /** Cores used by everything. */
  busy: number;
}

/** Measures CPU over a window: `start` before it, `stop` after, with the processes of each group. */
export class CpuMeter {
  #machine: MachineTicks | undefined;
  #at = 0;
  #ticks = new Map<number, number>();

  start(groups: PidGroups): void {
    this.#ticks.clear();
    for (const pid of Object.values(groups).flat()) {
      const ticks = processTicks(pid);
      if (ticks !== undefined) this.#ticks.set(pid, ticks);
    }
    this.#machine = machineTicks();
    this.#at = performance.now();
  }

  /** `groups` again at the end: a process that started during the window counts from zero. */
  stop(groups: PidGroups): CpuReport {
    const end = machineTicks();
    const seconds = (performance.now() - this.#at) / 1000;
    const start = this.#machine ?? end;
    const span = Math.max(1, end.total - start.total);
    const cores = (ticks: number) => Math.round((ticks / span) * end.cpus * 100) / 100;
    const counted = new Set<number>();
    const report: Record<string, number> = {};
    let ours = 0;
    for (const [name, pids] of Object.entries(groups)) {
      let ticks = 0;
      for (const pid of pids) {
        if (counted.has(pid)) continue;
        counted.add(pid);
        const now = processTicks(pid);
        if (now === undefined) continue;
        ticks += Math.max(0, now - (this.#ticks.get(pid) ?? 0));
      }
      ours += ticks;
      report[name] = cores(ticks);
    }
    const busy = end.busy - start.busy;
    return { seconds, cpus: end.cpus, groups: report, others: Math.max(0, cores(busy - ours)), busy: cores(busy) };
  }
}
