import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { coalesceWrites } from '../../app/utils/coalesce.server';

/** What comes out of a coalescing stream, chunk by chunk, as strings. */
function collect() {
  const stream = coalesceWrites();
  const out: string[] = [];
  stream.on('data', (chunk: Buffer) => out.push(chunk.toString()));
  const ended = new Promise((resolve) => stream.on('end', resolve));
  return { stream, out, ended };
}

describe('coalesceWrites (the page stream handed to Remix)', () => {
  it('hands on what one turn wrote as one chunk, and what a later turn writes in that turn', async () => {
    const { stream, out, ended } = collect();
    for (const piece of ['<html>', '<body>', '<p>one</p>']) stream.write(piece);
    expect(out).toEqual([]); // held until the turn ends
    await nextTurn();
    await nextTurn();
    expect(out).toEqual(['<html><body><p>one</p>']);
    stream.write('<p>later</p>'); // a suspended part resolving: not held back for the end
    await nextTurn();
    await nextTurn();
    expect(out).toEqual(['<html><body><p>one</p>', '<p>later</p>']);
    stream.write('</body>');
    stream.end('</html>');
    await ended;
    expect(out.join('')).toBe('<html><body><p>one</p><p>later</p></body></html>');
  });

  it('hands on every 64 KB without waiting for the turn to end', () => {
    const { stream, out } = collect();
    const piece = 'x'.repeat(2048);
    for (let i = 0; i < 40; i++) stream.write(piece);
    expect(out.map((c) => c.length)).toEqual([64 * 1024]);
    stream.destroy();
  });
});
