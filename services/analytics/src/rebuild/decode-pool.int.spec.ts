import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { caseHistories } from '../../../../bench/lib/case-histories';
import type { SummaryInput } from '../domain/case-summary';
import { decodeEvents, encodeEvents, messageText } from './decode';
import { DecodePool } from './decode-pool';

// The workers run the compiled decode.worker.js: `npm run build` first (`npm test` does).

const UNREADABLE = ['not json at all', '{"type":"complaint.received.v1","data":{}}', JSON.stringify({ id: 7 })];

/** Slices of case histories, every third message unreadable, the slices of very different sizes. */
function slices(): string[][] {
  const values = caseHistories(120).map(messageText);
  const mixed = values.flatMap((value, i) =>
    i % 3 === 0 ? [value, messageText({ headers: {}, value: UNREADABLE[i % UNREADABLE.length]! })] : [value],
  );
  const sizes = [700, 3, 250, 1, 400];
  const out: string[][] = [];
  for (let from = 0, i = 0; from < mixed.length; from += sizes[i++ % sizes.length]!) {
    out.push(mixed.slice(from, from + sizes[i % sizes.length]!));
  }
  return out;
}

function failingWorker(body: string): { file: string; cleanUp: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'decode-worker-'));
  const file = join(dir, 'worker.js');
  writeFileSync(file, `const { parentPort } = require('node:worker_threads');\n${body}\n`);
  return { file, cleanUp: () => rmSync(dir, { recursive: true, force: true }) };
}

describe('the rebuild decoding workers', () => {
  it('hand back each slice as the rebuild thread would decode it, in the order asked, counting the unreadable', async () => {
    const input = slices();
    const pool = new DecodePool({ workers: 2 });
    try {
      // All out at once: the small slices come back first, but each is awaited in its turn.
      const decoded = input.map((values) => pool.decode(values));
      const inputs: SummaryInput[] = [];
      let skipped = 0;
      for (const [i, slice] of decoded.entries()) {
        const { copy, summaryInputs, skipped: unreadable } = await slice;
        const expected = decodeEvents(input[i]!);
        const encoded = encodeEvents(expected.events, expected.skipped);
        expect(Buffer.from(copy).toString()).toBe(encoded.copy);
        expect(summaryInputs).toBe(encoded.summaryInputs);
        expect(unreadable).toBe(expected.skipped);
        inputs.push(...(JSON.parse(summaryInputs) as SummaryInput[]));
        skipped += unreadable;
      }
      expect(skipped).toBe(400);
      // Every valid message once, in the order read: each case's events keep their order.
      const valid = input.flat().flatMap((v) => decodeEvents([v]).events);
      expect(inputs.map((e) => [e.subject, e.type, e.streamVersion])).toEqual(
        valid.map((e) => [e.subject, e.type, e.streamVersion]),
      );
    } finally {
      await pool.close();
    }
  });

  it('fails the slice, those still out and those asked later when a worker cannot decode one', async () => {
    const worker = failingWorker(
      "parentPort.on('message', ({ id }) => parentPort.postMessage({ id, error: 'Error: the slice broke the decoder' }));",
    );
    const pool = new DecodePool({ workers: 1, file: worker.file });
    try {
      const first = pool.decode(['{}']);
      const second = pool.decode(['{}']);
      await expect(first).rejects.toThrow(/decoding worker failed on a slice of messages: Error: the slice broke/);
      await expect(second).rejects.toThrow(/the slice broke the decoder/);
      await expect(pool.decode(['{}'])).rejects.toThrow(/the slice broke the decoder/);
    } finally {
      await pool.close();
      worker.cleanUp();
    }
  });

  it('fails what is out when a worker throws or stops', async () => {
    const throwing = failingWorker("parentPort.on('message', () => { throw new Error('decoder out of its mind'); });");
    const exiting = failingWorker("parentPort.on('message', () => process.exit(3));");
    const pools = [new DecodePool({ file: throwing.file }), new DecodePool({ file: exiting.file })];
    try {
      await expect(pools[0]!.decode(['{}'])).rejects.toThrow(/decoding worker failed: Error: decoder out of its mind/);
      await expect(pools[1]!.decode(['{}'])).rejects.toThrow(/decoding worker stopped \(exit code 3\)/);
    } finally {
      await Promise.all(pools.map((pool) => pool.close()));
      throwing.cleanUp();
      exiting.cleanUp();
    }
  });
});
