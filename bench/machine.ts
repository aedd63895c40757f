import { execFileSync, spawnSync } from 'node:child_process';
import os from 'node:os';

export interface Machine {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  node: string;
  java: string;
  os: string;
  /** 1, 5 and 15-minute load averages: the machine is shared, so every run records how busy it was. */
  loadAverage: [number, number, number];
  uptime: string;
}

function javaVersion(java: string): string {
  // `java -version` and the settings dump print on stderr.
  const r = spawnSync(java, ['-XshowSettings:properties', '-version'], { encoding: 'utf8' });
  const text = `${r.stderr ?? ''}`;
  return /java\.runtime\.version = (.*)/.exec(text)?.[1]?.trim() ?? (text.split('\n')[0] || 'not found');
}

export function uptimeLine(): string {
  try {
    return execFileSync('uptime', [], { encoding: 'utf8' }).trim();
  } catch {
    return `load average: ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(', ')}`;
  }
}

export function loadAverage(): [number, number, number] {
  const [a = 0, b = 0, c = 0] = os.loadavg().map((l) => Math.round(l * 100) / 100);
  return [a, b, c];
}

export function describeMachine(java = process.env.NEO4J_LOCAL_JAVA ?? 'java'): Machine {
  return {
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    cores: os.cpus().length,
    memoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    java: javaVersion(java),
    os: `${os.type()} ${os.release()}`,
    loadAverage: loadAverage(),
    uptime: uptimeLine(),
  };
}
