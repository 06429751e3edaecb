/**
 * CPU time of the calling thread, in ms, from Linux's `/proc/thread-self/schedstat` (its first
 * field: nanoseconds on a CPU). `process.cpuUsage()` counts every thread of the process (worker
 * threads, V8's and libuv's helpers), and Node 20 has no `process.threadCpuUsage()`: this tells
 * the main thread's share apart from a worker's. NaN where the file does not exist (not Linux).
 */
import fs from 'node:fs';

export function threadCpuMs(): number {
  try {
    return Number(fs.readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]) / 1e6;
  } catch {
    return Number.NaN;
  }
}
