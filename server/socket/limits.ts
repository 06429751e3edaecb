/**
 * Size limits on live connections, both ways.
 *
 * In: an event larger than an action can need is answered `too_large` through its
 * acknowledgement (the composer shows it), instead of being read into the handlers. The
 * transport's own limit (maxHttpBufferSize, index.ts) sits well above it, so that this clear
 * answer is what a writer meets; only a message past the transport's limit still closes the
 * connection, and the page's fallback form post then gets the 413 page (server/http/body-limit.ts).
 *
 * Out: a reader that stops reading (a laptop lid closed mid-thread, a stalled network) would
 * otherwise keep every message meant for it in the server's memory until the ping timeout
 * notices, tens of megabytes in a thread with large posts. A connection whose unsent backlog
 * passes a bound is closed at once, and logged; the client reconnects by itself and catches up
 * from its since-cursor (app/live/useThread.ts).
 */
import type { Server, Socket } from 'socket.io';

export const TOO_LARGE = { ok: false, error: { code: 'too_large', messageKey: 'errors.tooLarge' } } as const;

/**
 * Whether a received payload (parsed JSON, with Buffers for binary parts) weighs more than
 * `limit` bytes, counted about as it travelled: strings by their UTF-8 length, binary parts by
 * theirs, a few bytes for each key and scalar. Stops as soon as the limit is passed, and walks
 * without recursion: a deeply nested payload must not overflow the stack.
 */
export function exceedsBytes(payload: unknown, limit: number): boolean {
  let total = 0;
  const stack: unknown[] = [payload];
  while (stack.length > 0) {
    const value = stack.pop();
    if (typeof value === 'string') total += Buffer.byteLength(value) + 2;
    else if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) total += value.byteLength;
    else if (Array.isArray(value)) {
      total += 2;
      for (const item of value) stack.push(item);
    } else if (value !== null && typeof value === 'object') {
      total += 2;
      for (const [key, item] of Object.entries(value)) {
        total += Buffer.byteLength(key) + 3;
        stack.push(item);
      }
    } else total += 8;
    if (total > limit) return true;
  }
  return false;
}

/**
 * Answers `too_large` to an event over `maxBytes` that expects an answer, and runs no handler
 * for it. Events without an acknowledgement go on: their handlers check their own limits and
 * say so their own way (a note message too large is refused with 'note:refused').
 */
export function refuseOversizeEvents(socket: Socket, maxBytes: number): void {
  socket.use((packet, next) => {
    const ack = packet[packet.length - 1];
    if (typeof ack !== 'function' || !exceedsBytes(packet.slice(1, -1), maxBytes)) return next();
    console.warn(`[socket] refused a '${String(packet[0])}' event over ${maxBytes} bytes`);
    ack(TOO_LARGE);
  });
}

export interface BacklogLimits {
  /** Bytes waiting to be sent to one connection. */
  maxBytes: number;
  /** Messages waiting to be sent (many small ones cost memory too). */
  maxPackets: number;
}

/** An engine.io packet as it waits in a connection's buffer. */
interface QueuedPacket {
  data?: string | Buffer | ArrayBuffer;
  options?: { wsPreEncodedFrame?: Buffer[] };
}

/**
 * About how many bytes a packet will take on the wire. A string's length, not its UTF-8 length:
 * this runs for every packet to every reader, and a broadcast must not be re-scanned per reader.
 */
function packetBytes(packet: QueuedPacket): number {
  const frame = packet.options?.wsPreEncodedFrame;
  if (frame) return frame.reduce((sum, part) => sum + part.byteLength, 0);
  const data = packet.data;
  if (typeof data === 'string') return data.length;
  return data?.byteLength ?? 0;
}

/**
 * Watches every connection's unsent backlog: what waits in engine.io's buffer (while its
 * transport is busy, e.g. a WebSocket whose last write has not gone out) plus what the WebSocket
 * has handed to the TCP socket that the network has not taken. Checked as each packet is queued,
 * in constant time; a connection over either bound is closed at once. Its memory then goes.
 */
export function limitBacklog(io: Server, limits: BacklogLimits): void {
  io.engine.on('connection', (conn: EngineConnection) => {
    /** Bytes of the packets in conn.writeBuffer: added as queued, reset when flushed to the transport. */
    let queued = 0;
    let dropped = false;
    conn.on('flush', () => {
      queued = 0;
    });
    // Emitted before the packet joins conn.writeBuffer: what is measured is what was already
    // waiting when another message came. One message larger than the bound (a long catch-up
    // page) still goes out alone; a reader still behind by more than the bound when the next
    // message comes is dropped.
    conn.on('packetCreate', (packet: QueuedPacket) => {
      if (dropped) return;
      const waiting = queued + inTransport(conn);
      const packets = conn.writeBuffer?.length ?? 0;
      queued += packetBytes(packet);
      if (waiting <= limits.maxBytes && packets <= limits.maxPackets) return;
      dropped = true;
      console.warn(
        `[socket] dropped connection ${conn.id}, which is not reading: ${waiting} bytes in ${packets} messages were waiting to be sent ` +
          `(limit ${limits.maxBytes} bytes, ${limits.maxPackets} messages); it will reconnect and catch up`,
      );
      close(conn);
    });
  });
}

/** The parts of engine.io's Socket this module reads (writeBuffer is not in its public types). */
interface EngineConnection {
  on(event: string, listener: (...args: any[]) => void): void;
  id: string;
  writeBuffer?: unknown[];
  transport: { name: string; socket?: { bufferedAmount?: number; terminate?: () => void } };
  close(discard?: boolean): void;
}

/** What a WebSocket transport has written to its TCP socket and the network has not yet taken. */
function inTransport(conn: EngineConnection): number {
  return conn.transport.name === 'websocket' ? conn.transport.socket?.bufferedAmount ?? 0 : 0;
}

/**
 * Closes now, dropping the backlog: the TCP connection of a WebSocket is destroyed (a graceful
 * close would queue its closing frame behind the backlog, which a reader that does not read never
 * takes), and engine.io closes the connection at once (`discard`: without waiting to flush),
 * which empties its buffer and disconnects the Socket.io socket.
 */
function close(conn: EngineConnection): void {
  const ws = conn.transport.name === 'websocket' ? conn.transport.socket : undefined;
  if (typeof ws?.terminate === 'function') ws.terminate();
  conn.close(true);
}
