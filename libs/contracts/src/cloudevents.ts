/**
 * The envelope on the wire: the CloudEvents 1.0 Kafka protocol binding, binary content mode
 * (attributes in `ce_` headers, `content-type` for `datacontenttype`, the value is the data).
 * The envelope keeps its TypeScript names (`streamVersion`…); CloudEvents attribute names are
 * lowercase letters and digits, so the wire names differ, and this mapping is the one place that
 * says how. Readers accept the previous shape too for one release (the whole camelCase envelope as
 * the value, `ce-` headers beside it): docs/integration.md says how it is retired.
 */
import type { Envelope } from './envelope';
import { ContractViolation } from './validate';

/** Every envelope attribute but `data`, by TypeScript name, with its CloudEvents attribute name. */
export const ENVELOPE_WIRE_NAMES = {
  specversion: 'specversion',
  id: 'id',
  source: 'source',
  type: 'type',
  subject: 'subject',
  time: 'time',
  datacontenttype: 'datacontenttype',
  streamVersion: 'streamversion',
  correlationId: 'correlationid',
  causationId: 'causationid',
  actor: 'actor',
  tenant: 'tenant',
  eventhash: 'eventhash',
  streamid: 'streamid',
  traceparent: 'traceparent',
} as const satisfies { [K in Exclude<keyof Envelope, 'data'>]-?: string };

/** The Kafka binding's attribute header prefix (the HTTP binding's `ce-` is the previous shape's). */
export const KAFKA_ATTRIBUTE_PREFIX = 'ce_';
/** The Kafka binding maps `datacontenttype` to this header, not to a `ce_` one. */
export const CONTENT_TYPE_HEADER = 'content-type';

/** Whether a header carries a CloudEvents attribute in the Kafka binding. */
export function isAttributeHeader(name: string): boolean {
  return name.startsWith(KAFKA_ATTRIBUTE_PREFIX) || name === CONTENT_TYPE_HEADER;
}

/** What a transport joins the copies of a repeated attribute header with: NUL, which no attribute holds. */
export const REPEATED_HEADER_SEPARATOR = '\u0000';

export interface WireMessage {
  headers: Record<string, string>;
  value: string;
}

type Attribute = Exclude<keyof Envelope, 'data'>;
const attributes = Object.keys(ENVELOPE_WIRE_NAMES) as Attribute[];

/**
 * The actor as one string attribute (CloudEvents has no object type for headers): `role:id`.
 * A role holds no colon, so the first colon splits them, whatever the id holds.
 */
function actorText(actor: Envelope['actor']): string {
  return `${actor.role}:${actor.id}`;
}

function actorOf(text: string): unknown {
  const colon = text.indexOf(':');
  return colon < 0 ? text : { role: text.slice(0, colon), id: text.slice(colon + 1) };
}

function headerOf(name: Attribute): string {
  return name === 'datacontenttype' ? CONTENT_TYPE_HEADER : `${KAFKA_ATTRIBUTE_PREFIX}${ENVELOPE_WIRE_NAMES[name]}`;
}

/** The envelope as a binary-mode Kafka message (its headers and value). */
export function toBinaryMessage(envelope: Envelope): WireMessage {
  const headers: Record<string, string> = {};
  for (const name of attributes) {
    const value = envelope[name];
    if (value === undefined || value === null) continue; // a null causation id is an absent attribute
    headers[headerOf(name)] =
      name === 'actor'
        ? actorText(value as Envelope['actor'])
        : typeof value === 'number'
          ? String(value)
          : (value as string);
  }
  return { headers, value: JSON.stringify(envelope.data) };
}

/**
 * The headers of the previous shape, as the relay wrote them before the binding: the HTTP binding's
 * `ce-` prefix for three attributes, and the correlation id and tenant under names of their own.
 */
export const PREVIOUS_SHAPE_HEADERS = {
  id: 'ce-id',
  type: 'ce-type',
  source: 'ce-source',
  correlationId: 'correlation-id',
  tenant: 'tenant',
} as const satisfies { [K in keyof Envelope]?: string };

/**
 * The envelope in the previous shape (the whole camelCase envelope as the value, PREVIOUS_SHAPE_HEADERS
 * beside it): what consumers of the previous release read, and what this release's readers still
 * read. Written only while EVENTS_WRITE_PREVIOUS_SHAPE is on (docs/events.md: retiring it).
 */
export function toPreviousShapeMessage(envelope: Envelope): WireMessage {
  const headers = Object.fromEntries(
    Object.entries(PREVIOUS_SHAPE_HEADERS).map(([name, header]) => [header, String(envelope[name as keyof Envelope])]),
  );
  return { headers, value: JSON.stringify(envelope) };
}

/**
 * The envelope a message carries, in TypeScript names and not yet checked (parseIntegrationEvent
 * checks it): binary mode when it has a `ce_specversion` header, else the previous shape (the whole
 * envelope as JSON in the value). Throws a SyntaxError on a value that is no JSON, a
 * ContractViolation on an attribute header sent more than once.
 */
export function envelopeOfMessage(message: WireMessage): unknown {
  const { headers } = message;
  if (headers[headerOf('specversion')] === undefined) return JSON.parse(message.value) as unknown;
  const envelope: Record<string, unknown> = { causationId: null, data: JSON.parse(message.value) as unknown };
  for (const name of attributes) {
    const text = headers[headerOf(name)];
    if (text === undefined) continue;
    if (text.includes(REPEATED_HEADER_SEPARATOR))
      throw new ContractViolation('Repeated CloudEvents attribute header', [headerOf(name)]);
    envelope[name] =
      name === 'actor' ? actorOf(text) : name === 'streamVersion' && /^\d{1,15}$/.test(text) ? Number(text) : text;
  }
  return envelope;
}
