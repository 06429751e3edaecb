/**
 * The benchmark's side of the listener processes (listener-worker.ts): fork them, spread the
 * listeners over them, ramp up, poll progress, gather results. Every wait is bounded.
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { ROOT, track, treeCpuSeconds } from './server';
import type { ConnectMessage, ReadyMessage, ResultMessage } from './listener-worker';

export interface ListenerPool {
  /**
   * Opens the listeners: `assignments` are spread over the processes, each to its own `url` if it
   * has one (a node of a cluster), else to `url`. Resolves when all are joined or failed.
   */
  connect(url: string, assignments: { threadId: number; count: number; url?: string }[], options: { rampBatch: number; prefix: string; timeoutMs: number }): Promise<ReadyTotals>;
  received(): Promise<number>;
  collect(): Promise<MergedResult>;
  cpuSeconds(): number;
  close(): Promise<void>;
}

export interface ReadyTotals {
  joined: number;
  connected: number;
  failures: string[];
  ms: number;
}

/** The listeners' results added up: a worker's result without its message tag. */
export type MergedResult = Omit<ResultMessage, 'type'>;

function request<T>(child: ChildProcess, message: object, answer: string, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.off('message', onMessage);
      reject(new Error(`listener process ${child.pid}: no '${answer}' within ${timeoutMs} ms`));
    }, timeoutMs);
    const onMessage = (m: { type: string }) => {
      if (m.type !== answer) return;
      clearTimeout(timer);
      child.off('message', onMessage);
      resolve(m as T);
    };
    child.on('message', onMessage);
    if (Object.keys(message).length) child.send(message);
  });
}

export async function startListeners(processes: number): Promise<ListenerPool> {
  const children = Array.from({ length: processes }, () => {
    const child = fork(path.join(ROOT, 'tests', 'bench', 'listener-worker.ts'), ['--listener-worker'], {
      cwd: ROOT,
      execArgv: ['--import', 'tsx'],
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    track(child);
    return child;
  });
  await Promise.all(children.map((c) => request(c, {}, 'started', 60_000)));

  return {
    async connect(url, assignments, options) {
      // Spread each thread's listeners evenly over the processes.
      const perChild: { threadId: number; count: number; url?: string }[][] = children.map(() => []);
      for (const a of assignments) {
        for (let k = 0; k < children.length; k++) {
          const count = Math.floor(a.count / children.length) + (k < a.count % children.length ? 1 : 0);
          if (count > 0) perChild[k].push({ threadId: a.threadId, count, ...(a.url ? { url: a.url } : {}) });
        }
      }
      const total = assignments.reduce((s, a) => s + a.count, 0);
      const batch = Math.max(1, Math.ceil(options.rampBatch / children.length));
      // Bounded: the slowest possible ramp is every batch timing out.
      const bound = Math.ceil(total / options.rampBatch + 1) * options.timeoutMs + 30_000;
      const readies = await Promise.all(
        children.map((c, k) =>
          request<ReadyMessage>(
            c,
            { type: 'connect', url, assignments: perChild[k], batch, timeoutMs: options.timeoutMs, prefix: options.prefix } satisfies ConnectMessage,
            'ready',
            bound,
          ),
        ),
      );
      return {
        joined: readies.reduce((s, r) => s + r.joined, 0),
        connected: readies.reduce((s, r) => s + r.connected, 0),
        failures: readies.flatMap((r) => r.failures).slice(0, 20),
        ms: Math.max(...readies.map((r) => r.ms)),
      };
    },
    async received() {
      const answers = await Promise.all(children.map((c) => request<{ received: number }>(c, { type: 'progress' }, 'progress', 30_000)));
      return answers.reduce((s, a) => s + a.received, 0);
    },
    async collect() {
      const results = await Promise.all(children.map((c) => request<ResultMessage>(c, { type: 'collect' }, 'result', 60_000)));
      const receivers = new Map<string, number>();
      const joinedPerThread = new Map<number, number>();
      const otherEvents: Record<string, number> = {};
      for (const r of results) {
        for (const [id, n] of r.receivers) receivers.set(id, (receivers.get(id) ?? 0) + n);
        for (const [t, n] of r.joinedPerThread) joinedPerThread.set(t, (joinedPerThread.get(t) ?? 0) + n);
        for (const [e, n] of Object.entries(r.otherEvents)) otherEvents[e] = (otherEvents[e] ?? 0) + n;
      }
      const length = results.reduce((s, r) => s + r.latencies.length, 0);
      const latencies = new Float64Array(length);
      let offset = 0;
      for (const r of results) {
        latencies.set(r.latencies, offset);
        offset += r.latencies.length;
      }
      return {
        latencies,
        receivers,
        duplicates: results.reduce((s, r) => s + r.duplicates, 0),
        joinedPerThread,
        disconnects: results.reduce((s, r) => s + r.disconnects, 0),
        disconnectReasons: results.flatMap((r) => r.disconnectReasons).slice(0, 20),
        otherEvents,
      };
    },
    cpuSeconds: () => children.reduce((s, c) => s + treeCpuSeconds(c.pid!), 0),
    async close() {
      await Promise.all(
        children.map(
          (c) =>
            new Promise<void>((resolve) => {
              if (c.exitCode !== null || c.signalCode !== null) return resolve();
              const timer = setTimeout(() => {
                c.kill('SIGKILL');
                resolve();
              }, 10_000);
              c.once('exit', () => {
                clearTimeout(timer);
                resolve();
              });
              c.send({ type: 'close' });
            }),
        ),
      );
    },
  };
}
