/**
 * The one loop every command goes through: read the stream, fold, decide, append with the
 * expected version; on a version conflict, read again and decide again.
 */
import { fold, NotFoundError, type CommandMetadata, type Decider, type DomainEvent } from '@complaints/decider';
import { v7 as uuidv7 } from 'uuid';
import type { Database, SqlClient } from './database';
import { EventStore, StreamVersionConflict, type StoredEvent } from './event-store';

export interface CommandResult<State> {
  state: State;
  appended: StoredEvent[];
  version: number;
}

/**
 * A command, or a function that builds it from the current state inside the transaction — for
 * commands whose rules need more facts (e.g. a customer's earlier fee waivers) read consistently.
 */
export type CommandInput<Command, State> = Command | ((state: State, tx: SqlClient) => Promise<Command>);

export interface CommandHooks {
  /** Runs in the same transaction after the append: inline projections the next decision needs. */
  afterAppend?: (tx: SqlClient, appended: StoredEvent[], state: unknown) => Promise<void>;
  /**
   * The stream is new (its id was generated for this command): decide from the initial state without
   * reading it. Were it to exist after all, the append fails with a StreamVersionConflict.
   */
  newStream?: boolean;
}

export async function decideAndAppend<Command, State, Event extends DomainEvent>(
  tx: SqlClient,
  store: EventStore,
  decider: Decider<Command, State, Event>,
  streamId: string,
  input: CommandInput<Command, State>,
  meta: CommandMetadata,
  hooks: CommandHooks = {},
): Promise<CommandResult<State>> {
  const history = hooks.newStream ? [] : await store.readStream(tx, streamId);
  // A stream of another tenant is, to this one, a stream that does not exist.
  if (!ownedBy(history, meta.tenant)) throw new NotFoundError('Stream', streamId);
  const state = fold(decider, history as unknown as Event[]);
  const command =
    typeof input === 'function' ? await (input as (s: State, t: SqlClient) => Promise<Command>)(state, tx) : input;
  const events = decider.decide(command, state, meta);
  const appended = await store.append(
    tx,
    streamId,
    history.length,
    events.map((event) => ({
      eventId: uuidv7(),
      type: event.type,
      data: event.data,
      metadata: {
        tenant: meta.tenant,
        actor: meta.actor,
        correlationId: meta.correlationId,
        causationId: meta.causationId ?? null,
        time: meta.now.toISOString(),
      },
    })),
  );
  const after = events.reduce(decider.evolve, state);
  if (hooks.afterAppend && appended.length > 0) await hooks.afterAppend(tx, appended, after);
  return {
    state: after,
    appended,
    version: history.length + appended.length,
  };
}

/** Runs a command in its own transaction, retrying when a concurrent writer won the race. */
export async function handleCommand<Command, State, Event extends DomainEvent>(
  db: Database,
  store: EventStore,
  decider: Decider<Command, State, Event>,
  streamId: string,
  command: CommandInput<Command, State>,
  meta: CommandMetadata,
  hooks: CommandHooks = {},
  maxAttempts = 5,
): Promise<CommandResult<State>> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction((tx) => decideAndAppend(tx, store, decider, streamId, command, meta, hooks));
    } catch (error) {
      if (!(error instanceof StreamVersionConflict) || attempt >= maxAttempts) throw error;
    }
  }
}

/** Whether a stream is empty or the tenant's own: every stream belongs to the tenant of its first event. */
function ownedBy(history: StoredEvent[], tenant: string): boolean {
  return history.length === 0 || history[0]!.metadata.tenant === tenant;
}

/** Folds a stream of `tenant` into state; `undefined` when it has no events or is another tenant's. */
export async function loadState<State, Event extends DomainEvent>(
  client: SqlClient,
  store: EventStore,
  decider: Pick<Decider<unknown, State, Event>, 'initialState' | 'evolve'>,
  streamId: string,
  tenant: string,
): Promise<{ state: State; version: number } | undefined> {
  const history = await store.readStream(client, streamId);
  if (history.length === 0 || !ownedBy(history, tenant)) return undefined;
  return { state: fold(decider, history as unknown as Event[]), version: history.length };
}

/** Time-ordered ids (UUIDv7) for complaints, cases and events. */
export const newId = (): string => uuidv7();
