/**
 * The shape every aggregate in the platform takes: pure functions from (command, state) to events
 * and from (state, event) to state. No I/O, no clock, no framework: time, ids and the actor arrive
 * on the command's metadata so a replay always produces the same state.
 */
export interface Actor {
  id: string;
  role: string;
}

/** Who asked, when, on whose behalf, and which request this belongs to. */
export interface CommandMetadata {
  now: Date;
  actor: Actor;
  tenant: string;
  correlationId: string;
  causationId?: string | null;
}

export interface DomainEvent<Type extends string = string, Data = unknown> {
  type: Type;
  data: Data;
}

export interface Decider<Command, State, Event extends DomainEvent> {
  initialState: () => State;
  decide: (command: Command, state: State, meta: CommandMetadata) => Event[];
  evolve: (state: State, event: Event) => State;
}

export function fold<State, Event extends DomainEvent>(
  decider: Pick<Decider<unknown, State, Event>, 'initialState' | 'evolve'>,
  events: readonly Event[],
): State {
  return events.reduce(decider.evolve, decider.initialState());
}
