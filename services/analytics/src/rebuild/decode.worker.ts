/**
 * A decoding worker thread of the rebuild (decode-pool.ts starts it): decodes each slice of
 * messages it is sent (decode.ts) and answers with the slice's COPY text as bytes, handed over
 * without a copy, and its fold input as JSON text. A message that fails its contract is only
 * counted; anything else that fails is reported, and fails the rebuild.
 */
import { parentPort } from 'node:worker_threads';
import type { DecodeReply, DecodeRequest } from './decode-pool';
import { decodeSlice } from './decode';

const port = parentPort;
if (!port) throw new Error('decode.worker.js runs as a worker thread of the rebuild (decode-pool.ts), not alone');
const encoder = new TextEncoder();

port.on('message', ({ id, values }: DecodeRequest) => {
  let reply: DecodeReply;
  try {
    const { copy, summaryInputs, skipped } = decodeSlice(values);
    reply = { id, copy: encoder.encode(copy), summaryInputs, skipped };
  } catch (error) {
    port.postMessage({ id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    return;
  }
  port.postMessage(reply, [reply.copy.buffer as ArrayBuffer]);
});
