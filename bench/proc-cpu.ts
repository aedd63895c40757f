import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

/**
 * CPU time a process has used (user + system), from /proc/<pid>/stat (Linux). A request's CPU time
 * is its fixed cost: unlike its latency it barely moves when other work shares the machine, so the
 * bench divides a target's CPU over a phase by the requests it answered. Off Linux: null.
 */
let ticksPerSecond: number | undefined;

function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      // USER_HZ is 100 on every Linux the bench runs on.
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** User + system CPU of `pid` so far, in microseconds (resolution one clock tick: 10 ms). */
export function cpuMicros(pid: number | undefined): number | null {
  if (pid === undefined || pid < 0) return null;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces: fields are counted after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the name and state.
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? (ticks / clockTicks()) * 1e6 : null;
  } catch {
    return null;
  }
}
