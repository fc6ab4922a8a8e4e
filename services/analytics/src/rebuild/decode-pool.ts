/**
 * The rebuild's decoding workers: slices of messages go out as their text, round robin, and come
 * back decoded (decode.ts) in the order the caller awaits them. The caller bounds how many slices
 * are out at once. A worker that fails — a slice it could not decode, an uncaught error, an exit —
 * fails every slice still out and every one asked afterwards, naming the worker's error: the
 * rebuild stops rather than load tables with a hole in them.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

export interface DecodeRequest {
  id: number;
  values: string[];
}

export type DecodeReply =
  | { id: number; copy: Uint8Array; summaryInputs: string; skipped: number; error?: undefined }
  | { id: number; error: string };

/** A decoded slice as it arrives on the rebuild's thread. */
export interface WorkerSlice {
  /** The valid events' `case_history` rows as COPY text, UTF-8. */
  copy: Uint8Array;
  /** A JSON array of the valid events as `SummaryInput`s, in message order. */
  summaryInputs: string;
  skipped: number;
}

export interface DecodePoolOptions {
  /** Worker threads (default: one fewer than the cores, at least one, at most four). */
  workers?: number;
  /** The compiled worker script (default: decode.worker.js of the build; tests give a failing one). */
  file?: string;
}

export function defaultDecodeWorkers(): number {
  return Math.max(1, Math.min(4, availableParallelism() - 1));
}

/**
 * The compiled decode.worker.js. From the build it sits next to this file; when this file runs as
 * TypeScript from src/ (jest), the build's copy in dist/ is used: `npm test` builds first.
 */
export function decodeWorkerFile(): string {
  const candidates = [
    join(__dirname, 'decode.worker.js'),
    join(__dirname, '..', '..', 'dist', 'rebuild', 'decode.worker.js'),
  ];
  const found = candidates.find((file) => existsSync(file));
  if (!found)
    throw new Error(`The rebuild's decoding worker is not built (no ${candidates.join(' or ')}): run npm run build`);
  return found;
}

interface Pending {
  resolve: (slice: WorkerSlice) => void;
  reject: (error: Error) => void;
}

export class DecodePool {
  private readonly workers: Worker[];
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private failure: Error | undefined;
  private closing = false;

  constructor(options: DecodePoolOptions = {}) {
    const file = options.file ?? decodeWorkerFile();
    const count = Math.max(1, options.workers ?? defaultDecodeWorkers());
    this.workers = Array.from({ length: count }, (_, index) => this.start(file, index));
  }

  get size(): number {
    return this.workers.length;
  }

  /** Decodes one slice of message values; the promise is marked handled, so it may be awaited late. */
  decode(values: string[]): Promise<WorkerSlice> {
    const id = this.nextId++;
    const decoded = new Promise<WorkerSlice>((resolve, reject) => {
      if (this.failure) return reject(this.failure);
      this.pending.set(id, { resolve, reject });
      this.workers[id % this.workers.length]!.postMessage({ id, values } satisfies DecodeRequest);
    });
    decoded.catch(() => undefined);
    return decoded;
  }

  /** Stops the workers; slices still out are failed. */
  async close(): Promise<void> {
    this.closing = true;
    this.fail(new Error('The decoding workers were closed'));
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }

  private start(file: string, index: number): Worker {
    const worker = new Worker(file, { name: `rebuild-decode-${index}` });
    worker.on('message', (reply: DecodeReply) => {
      const pending = this.pending.get(reply.id);
      if (!pending) return;
      this.pending.delete(reply.id);
      if (reply.error !== undefined) {
        this.fail(new Error(`A rebuild decoding worker failed on a slice of messages: ${reply.error}`));
        pending.reject(this.failure!);
      } else {
        pending.resolve({ copy: reply.copy, summaryInputs: reply.summaryInputs, skipped: reply.skipped });
      }
    });
    worker.on('error', (error) =>
      this.fail(new Error(`A rebuild decoding worker failed: ${error.stack ?? error.message}`, { cause: error })),
    );
    worker.on('messageerror', (error) =>
      this.fail(new Error(`A rebuild decoding worker sent a message that could not be read: ${error.message}`)),
    );
    worker.on('exit', (code) => {
      if (!this.closing) this.fail(new Error(`A rebuild decoding worker stopped (exit code ${code})`));
    });
    return worker;
  }

  /** The first failure is the one reported; every slice out and every later one fails with it. */
  private fail(error: Error): void {
    this.failure ??= error;
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const { reject } of pending) reject(this.failure);
  }
}
