/**
 * Turns a slice of history messages into what the rebuild stores and folds: each message parsed
 * and checked against its contract (one that fails is skipped and counted, as the live consumer
 * dead-letters it), the valid events' `case_history` rows as COPY text, and what the summary fold
 * needs of each valid event as JSON text. A decoding worker (decode.worker.ts) runs it, so the
 * main thread only folds and streams COPY; text crosses between the threads, not object graphs,
 * because cloning objects costs about as much as parsing them again.
 */
import { envelopeOfMessage, parseIntegrationEvent } from '@complaints/contracts';
import type { SummaryInput } from '../domain/case-summary';
import {
  HISTORY_COLUMNS,
  historyRow,
  type ProjectedEvent,
} from '../read-models/case-timeline/case-timeline.projection';
import { copyLine } from './copy-text';

export interface DecodedSlice {
  /** The valid events' `case_history` rows (HISTORY_COLUMNS), in message order. */
  copy: string;
  /** A JSON array of the valid events as `SummaryInput`s, in the same order. */
  summaryInputs: string;
  /** Messages that failed their contract (or were no JSON). */
  skipped: number;
}

/**
 * A history message as one text for a decoding worker: its headers' JSON, a newline, its value
 * (JSON text never holds a raw newline, so the first one splits them). Binary-mode events keep
 * their attributes in the headers, so the value alone is not the event.
 */
export function messageText(message: { headers: Record<string, string>; value: string }): string {
  return `${JSON.stringify(message.headers)}\n${message.value}`;
}

function messageOfText(text: string): { headers: Record<string, string>; value: string } {
  const newline = text.indexOf('\n');
  return { headers: JSON.parse(text.slice(0, newline)) as Record<string, string>, value: text.slice(newline + 1) };
}

/** The messages' valid events, and how many were not (the rebuild's own thread, when it must). */
export function decodeEvents(values: readonly string[]): { events: ProjectedEvent[]; skipped: number } {
  const events: ProjectedEvent[] = [];
  let skipped = 0;
  for (const value of values) {
    try {
      events.push(parseIntegrationEvent(envelopeOfMessage(messageOfText(value))));
    } catch {
      skipped++; // dead-lettered when it was live; it never reached the projection then either
    }
  }
  return { events, skipped };
}

/** Valid events as a slice's COPY text and fold input (the data's JSON is made once for both). */
export function encodeEvents(events: readonly ProjectedEvent[], skipped = 0): DecodedSlice {
  // Lines joined once: a string grown by += is a rope that must be flattened again to be encoded.
  const lines: string[] = [];
  const inputs: string[] = [];
  for (const event of events) {
    const data = JSON.stringify(event.data);
    const row = historyRow(event);
    lines.push(copyLine(HISTORY_COLUMNS.map((column) => (column === 'data' ? data : row[column]))));
    // The fold input without its data, then the data's JSON made above: the same object, stringified once.
    const head: Omit<SummaryInput, 'data'> = {
      type: event.type,
      subject: event.subject,
      tenant: event.tenant,
      time: event.time,
      streamVersion: event.streamVersion,
    };
    inputs.push(`${JSON.stringify(head).slice(0, -1)},"data":${data}}`);
  }
  return { copy: lines.join(''), summaryInputs: `[${inputs.join(',')}]`, skipped };
}

export function decodeSlice(values: readonly string[]): DecodedSlice {
  const { events, skipped } = decodeEvents(values);
  return encodeEvents(events, skipped);
}
