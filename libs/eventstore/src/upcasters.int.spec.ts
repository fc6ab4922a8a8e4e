import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database';
import { metadata } from '../../../test/fixtures/events';
import {
  EventStore,
  LOG_START,
  eventStoreMigrations,
  openDatabase,
  upcasters,
  verifyStream,
  type Database,
} from './index';

/** v1 stored a single `name`; v2 splits it. The v1 rows stay in the table as they were written. */
const splitName = upcasters({
  Renamed: (data) => {
    const { name, ...rest } = data as { name?: string; given?: string; family?: string };
    if (name === undefined) return data;
    const [given = '', ...family] = name.split(' ');
    return { ...rest, given, family: family.join(' ') };
  },
});

describe('upcasters plugged into the event store', () => {
  let testDb: TestDatabase;
  let db: Database;
  const asStored = new EventStore();
  const upcasting = new EventStore(splitName);

  beforeAll(async () => {
    testDb = await createTestDatabase('upcasters');
    db = await openDatabase({ url: testDb.url, schema: 'upcast_test', migrations: eventStoreMigrations });
  });
  afterAll(async () => {
    await db?.close();
    await testDb?.drop();
  });

  const append = (stream: string, version: number, type: string, data: unknown) =>
    db.transaction((tx) =>
      asStored.append(tx, stream, version, [{ eventId: randomUUID(), type, data, metadata: metadata() }]),
    );

  it('reads the old shape and the current shape of an event type as the current shape', async () => {
    const stream = `s-${randomUUID()}`;
    await append(stream, 0, 'Renamed', { name: 'Li Wei Ming' });
    await append(stream, 1, 'Renamed', { given: 'Wang', family: 'Fang' });
    await append(stream, 2, 'Noted', { name: 'not a rename' });

    expect((await upcasting.readStream(db, stream)).map((e) => e.data)).toEqual([
      { given: 'Li', family: 'Wei Ming' },
      { given: 'Wang', family: 'Fang' },
      { name: 'not a rename' },
    ]);
    const committed = await upcasting.readCommitted(db, LOG_START, 1000);
    expect(committed.filter((e) => e.streamId === stream).map((e) => e.data)).toContainEqual({
      given: 'Li',
      family: 'Wei Ming',
    });
  });

  it('leaves the stored rows, and so their hash chain, as they were written', async () => {
    const stream = `s-${randomUUID()}`;
    await append(stream, 0, 'Renamed', { name: 'Li Wei' });
    const stored = await asStored.readStream(db, stream);
    expect(stored[0]?.data).toEqual({ name: 'Li Wei' });
    expect(await verifyStream(db, stream)).toEqual([]);
  });
});
