/**
 * Given / when / then for deciders, usable from any test runner: `then` and `thenThrows` return
 * nothing and throw an Error describing the mismatch, so a failed expectation fails the test.
 */
import { isDeepStrictEqual } from 'node:util';
import type { CommandMetadata, Decider, DomainEvent } from './decider';
import { fold } from './decider';

export function specification<Command, State, Event extends DomainEvent>(
  decider: Decider<Command, State, Event>,
  meta: CommandMetadata,
) {
  return {
    given(history: Event[] = []) {
      return {
        when(command: Command) {
          const run = () => decider.decide(command, fold(decider, history), meta);
          return {
            then(expected: Event[]) {
              const actual = run();
              if (!isDeepStrictEqual(actual, expected)) {
                throw new Error(
                  `Expected events ${JSON.stringify(expected, null, 2)}\nbut got ${JSON.stringify(actual, null, 2)}`,
                );
              }
            },
            thenThrows(errorType: new (...args: never[]) => Error, message?: RegExp) {
              let produced: Event[] | undefined;
              try {
                produced = run();
              } catch (error) {
                if (!(error instanceof errorType)) {
                  throw new Error(`Expected ${errorType.name} but ${String(error)} was thrown`);
                }
                if (message && !message.test(error.message)) {
                  throw new Error(`Expected message matching ${message} but got "${error.message}"`);
                }
                return;
              }
              throw new Error(`Expected ${errorType.name} but the command produced ${JSON.stringify(produced)}`);
            },
          };
        },
      };
    },
  };
}
