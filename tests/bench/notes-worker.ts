/**
 * A load-generator thread for the notes benchmark (notes.ts): headless co-editors and viewers
 * (tests/support/yjs-client.ts: socket.io-client + Yjs + y-protocols), all on one note.
 *
 * Latency without decoding anything: every editor has a fixed Yjs client id (clientBase + its
 * index). Just before a keystroke, its sender writes the send time into a SharedArrayBuffer at
 * [editor index, clock of the keystroke's first struct]. When a replica applies a remote
 * transaction, the clocks it gained per client (afterState − beforeState) are looked up there:
 * receipt − send is the delivery latency of that keystroke to that replica. Times are
 * `performance.timeOrigin + performance.now()`, comparable across threads on one machine,
 * stored relative to the phase's t0 in 1/100 ms (Int32, Atomics).
 *
 * Driven by the benchmark with messages:
 *   → connect { noteId, editors: [{ index, cookie, url }], viewers: [{ cookie, url }] }  ← ready { joined, failures }
 *   → paragraphs  (each editor appends its own paragraph)                      ← paragraphs
 *   → blocks                                                                   ← blocks { min }
 *   → start { t0, startAt, rate, seconds }                                     ← typed { sent, lastSend, lagsP99, lagMax }
 *   → progress                                                                 ← progress { received }
 *   → collect                                                                  ← result { … }
 *   → close                                                                    ← closed
 */
import crypto from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import * as Y from 'yjs';
import { openCoEditor, REMOTE, type CoEditor } from '../support/yjs-client';
import { nowMs, percentile } from './stats';

export interface WorkerSetup {
  /** Int32Array over it: send time of [editor][clock] − t0, in 1/100 ms, + 1 (0: none) */
  sendTimes: SharedArrayBuffer;
  maxClock: number;
  clientBase: number;
  editorsTotal: number;
  /** histogram bins of 0.1 ms */
  histogramBins: number;
}

export type WorkerRequest =
  /** each client connects to its own `url`: a cluster's editors and viewers are spread over its nodes */
  | { type: 'connect'; noteId: number; editors: { index: number; cookie: string; url: string }[]; viewers: { cookie: string; url: string }[]; batch: number }
  | { type: 'paragraphs' }
  | { type: 'blocks' }
  | { type: 'start'; t0: number; startAt: number; rate: number; seconds: number; cursors: boolean }
  | { type: 'progress' }
  | { type: 'collect' }
  | { type: 'close' };

export interface WorkerResult {
  type: 'result';
  /** deliveries per 0.1 ms bin (the last bin: everything later) */
  histogram: Uint32Array;
  /** per [editor][clock]: latest receipt − t0 (ms) over this thread's replicas */
  maxReceipt: Float64Array;
  /** per [editor][clock]: replicas of this thread that received it */
  receipts: Uint16Array;
  /** sha1 of each replica's text, and of its state vector */
  textHashes: string[];
  stateHashes: string[];
  textLengths: number[];
  eventLoopP99Ms: number;
  eventLoopMaxMs: number;
  refusals: number;
}

const US = 100; // units per ms in sendTimes

function main() {
  const setup = workerData as WorkerSetup;
  const port = parentPort!;
  const sendTimes = new Int32Array(setup.sendTimes);
  const slots = setup.editorsTotal * setup.maxClock;
  const maxReceipt = new Float64Array(slots);
  const receipts = new Uint16Array(slots);
  const histogram = new Uint32Array(setup.histogramBins);
  const replicas: CoEditor[] = [];
  const editors: { index: number; client: CoEditor; paragraph: Y.XmlText | null }[] = [];
  const eventLoop = monitorEventLoopDelay({ resolution: 10 });
  let t0 = 0;
  let received = 0;
  const lags: number[] = [];

  const reply = (message: object) => port.postMessage(message);

  /** Records the keystrokes a replica just received (remote transactions only). */
  function watch(replica: CoEditor) {
    replica.doc.on('afterTransaction', (transaction: Y.Transaction) => {
      if (transaction.origin !== REMOTE || t0 === 0) return;
      const at = nowMs() - t0;
      for (const [client, after] of transaction.afterState) {
        const editor = client - setup.clientBase;
        if (editor < 0 || editor >= setup.editorsTotal) continue;
        const before = transaction.beforeState.get(client) ?? 0;
        for (let clock = before; clock < after && clock < setup.maxClock; clock++) {
          const slot = editor * setup.maxClock + clock;
          const sent = Atomics.load(sendTimes, slot);
          if (sent === 0) continue;
          const latency = at - (sent - 1) / US;
          histogram[Math.min(setup.histogramBins - 1, Math.max(0, Math.floor(latency * 10)))]++;
          if (at > maxReceipt[slot]) maxReceipt[slot] = at;
          receipts[slot]++;
          received++;
        }
      }
    });
  }

  /** The caret after the last character, as Lexical's CollaborationPlugin announces it per selection change. */
  function announceCaret(e: (typeof editors)[number]) {
    const position = Y.relativePositionToJSON(Y.createRelativePositionFromTypeIndex(e.paragraph!, e.paragraph!.length));
    e.client.awareness.setLocalState({ ...e.client.awareness.getLocalState(), anchorPos: position, focusPos: position, focusing: true });
  }

  function type(rate: number, seconds: number, startAt: number, cursors: boolean) {
    const interval = 1000 / rate;
    const count = Math.round(rate * seconds);
    // Each editor its own phase within the interval, so keystrokes are spread evenly.
    const queue = editors.map((e, k) => ({ e, next: startAt + ((k * interval) / editors.length + (e.index % 7) * 3) % interval, sent: 0 }));
    let lastSend = 0;
    let sent = 0;
    const letters = 'abcdefghijklmnopqrstuvwxyz';
    const tick = () => {
      const now = nowMs();
      let pending = false;
      let soonest = Infinity;
      for (const q of queue) {
        while (q.sent < count && q.next <= now) {
          const doc = q.e.client.doc;
          const clock = Y.getState(doc.store, doc.clientID);
          const sentAt = nowMs();
          if (clock < setup.maxClock) Atomics.store(sendTimes, q.e.index * setup.maxClock + clock, Math.round((sentAt - t0) * US) + 1);
          q.e.client.typeInto(q.e.paragraph!, letters[(q.e.index + q.sent) % letters.length]!);
          if (cursors) announceCaret(q.e);
          lags.push(sentAt - q.next);
          lastSend = Math.max(lastSend, sentAt);
          q.sent++;
          sent++;
          q.next += interval;
        }
        if (q.sent < count) {
          pending = true;
          soonest = Math.min(soonest, q.next);
        }
      }
      if (pending) setTimeout(tick, Math.max(0, soonest - nowMs()));
      else {
        const sorted = Float64Array.from(lags).sort();
        reply({ type: 'typed', sent, lastSend: lastSend - t0, lagP99: percentile(sorted, 99), lagMax: sorted.at(-1) ?? 0 });
      }
    };
    setTimeout(tick, Math.max(0, startAt - nowMs()));
  }

  port.on('message', async (message: WorkerRequest) => {
    switch (message.type) {
      case 'connect': {
        const failures: string[] = [];
        const plan = [
          ...message.editors.map((e) => ({ cookie: e.cookie, url: e.url, editor: e.index })),
          ...message.viewers.map((v) => ({ cookie: v.cookie, url: v.url, editor: -1 })),
        ];
        for (let i = 0; i < plan.length; i += message.batch) {
          await Promise.all(
            plan.slice(i, i + message.batch).map(async ({ cookie, url, editor }) => {
              try {
                const client = await openCoEditor(
                  { url },
                  message.noteId,
                  editor >= 0 ? { cookie, clientID: setup.clientBase + editor, name: `Editor ${editor}`, timeoutMs: 30_000 } : { cookie, name: 'Viewer', timeoutMs: 30_000 },
                );
                watch(client);
                replicas.push(client);
                if (editor >= 0) {
                  if (!client.canEdit) failures.push(`editor ${editor} may not edit`);
                  editors.push({ index: editor, client, paragraph: null });
                } else if (client.canEdit) failures.push('a viewer may edit');
              } catch (error) {
                failures.push((error as Error).message);
              }
            }),
          );
        }
        eventLoop.enable();
        reply({ type: 'ready', joined: replicas.length, failures: failures.slice(0, 20) });
        break;
      }
      case 'paragraphs':
        for (const e of editors) e.paragraph = e.client.appendParagraph();
        reply({ type: 'paragraphs' });
        break;
      case 'blocks':
        reply({ type: 'blocks', min: Math.min(...replicas.map((r) => r.blocks().length)) });
        break;
      case 'start':
        t0 = message.t0;
        eventLoop.reset();
        type(message.rate, message.seconds, message.startAt, message.cursors);
        break;
      case 'progress':
        reply({ type: 'progress', received });
        break;
      case 'collect': {
        const sha = (data: string | Uint8Array) => crypto.createHash('sha1').update(data).digest('hex');
        const texts = replicas.map((r) => r.text());
        reply({
          type: 'result',
          histogram,
          maxReceipt,
          receipts,
          textHashes: texts.map(sha),
          stateHashes: replicas.map((r) => sha(Y.encodeStateVector(r.doc))),
          textLengths: texts.map((t) => t.length),
          eventLoopP99Ms: eventLoop.percentile(99) / 1e6,
          eventLoopMaxMs: eventLoop.max / 1e6,
          refusals: replicas.reduce((s, r) => s + r.refused.length, 0),
        } satisfies WorkerResult);
        break;
      }
      case 'close':
        eventLoop.disable();
        for (const r of replicas) r.close();
        setTimeout(() => reply({ type: 'closed' }), 200);
        break;
    }
  });
  reply({ type: 'started' });
}

if (parentPort && (workerData as { notesWorker?: boolean } | null)?.notesWorker) main();
