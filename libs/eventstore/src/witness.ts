/**
 * Copies of every checkpoint kept where a database writer cannot reach: an append-only file (the
 * default in embedded mode, in DATA_DIR beside, not inside, the database's data directory) and the
 * bus topic `audit.checkpoints.v1` (Kafka). Verify compares each copy with the checkpoints table.
 */
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** What a witness keeps of one checkpoint: enough to tell it was removed, renumbered or replaced. */
export interface WitnessEntry {
  /** The service's schema the checkpoint is of. */
  schema: string;
  id: number;
  /** SHA-256 of the checkpoint's signed text (`checkpointDigest`). */
  digest: string;
  keyId: string;
  signedAt: string;
}

/** One copy's entries, named for the findings. */
export interface WitnessCopy {
  name: string;
  entries: WitnessEntry[];
  /** Why the copy could not be read: verify cannot vouch for the checkpoints then. */
  unreadable?: string;
}

/** The file a schema's checkpoints are appended to under AUDIT_WITNESS_DIR. */
export function witnessFile(dir: string, schema: string): string {
  return join(dir, `${schema}.checkpoints.jsonl`);
}

export async function appendWitness(file: string, entry: WitnessEntry): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  // One line per write, opened for append: earlier lines are never rewritten by this process.
  await appendFile(file, `${JSON.stringify(entry)}\n`, { flag: 'a', mode: 0o600 });
}

/** The file's entries of `schema`; a missing file is an empty witness (nothing was signed yet). */
export async function readWitnessFile(file: string, schema: string): Promise<WitnessCopy> {
  // Named without its folder: verify's findings reach API clients, the server's paths do not.
  const name = `witness file ${basename(file)}`;
  try {
    const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return '';
      throw error;
    });
    const entries = text
      .split('\n')
      .filter((line) => line.trim())
      .map((line) => JSON.parse(line) as WitnessEntry)
      .filter((entry) => entry.schema === schema);
    return { name, entries };
  } catch (error) {
    return { name, entries: [], unreadable: (error as NodeJS.ErrnoException).code ?? 'not JSON lines' };
  }
}
