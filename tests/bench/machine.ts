/**
 * How busy the machine is apart from the benchmark: the scenarios share 2 cores with whatever
 * else runs (another test suite, a build), which would distort every figure. Linux only.
 */
import fs from 'node:fs';
import { treeCpuSeconds } from './server';
import { sleep } from './stats';

const TICKS = 100;

/** CPU seconds all cores spent busy since boot (user, nice, system, irq, softirq, steal). */
export function machineBusySeconds(): number {
  try {
    const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0];
    const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
    return (user + nice + system + irq + softirq + (steal || 0)) / TICKS;
  } catch {
    return Number.NaN;
  }
}

/** CPU seconds used by this benchmark process and everything it started. */
export const ownCpuSeconds = () => treeCpuSeconds(process.pid);

export interface CpuWindow {
  /** CPU used by other processes since the window opened, % of one core (100 = one core) */
  otherPercent(): number;
}

export function cpuWindow(): CpuWindow {
  const busy0 = machineBusySeconds();
  const own0 = ownCpuSeconds();
  const t0 = performance.now();
  return {
    otherPercent() {
      const wall = (performance.now() - t0) / 1000;
      const other = machineBusySeconds() - busy0 - (ownCpuSeconds() - own0);
      return wall > 0 && Number.isFinite(other) ? Math.max(0, Math.round((other / wall) * 1000) / 10) : -1;
    },
  };
}

/**
 * Samples other processes' CPU use over 2 s windows until it is below `quietPercent` or
 * `maxSeconds` have passed (0: one sample only). Returns the last sample.
 */
export async function waitForQuiet(maxSeconds: number, quietPercent = 15): Promise<{ otherPercent: number; waitedSeconds: number }> {
  const started = Date.now();
  for (;;) {
    const window = cpuWindow();
    await sleep(2_000);
    const otherPercent = window.otherPercent();
    const waitedSeconds = Math.round((Date.now() - started) / 1000);
    if (otherPercent < quietPercent || Date.now() - started >= maxSeconds * 1000) return { otherPercent, waitedSeconds };
  }
}
