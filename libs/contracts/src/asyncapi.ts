/**
 * The event catalogue as an AsyncAPI 3 document and a Markdown table, generated from the zod
 * schemas in this library so the published description cannot drift from what producers check.
 * `npm run asyncapi` writes both to docs/; a unit test fails when the committed files differ.
 */
import { zodToJsonSchema } from 'zod-to-json-schema';
import { stringify } from 'yaml';
import type { z } from 'zod';
import { ENVELOPE_WIRE_NAMES } from './cloudevents';
import { DEAD_LETTER_HEADER_NAMES } from './dead-letter-headers';
import { envelopeSchema } from './envelope';
import { IntegrationEvents, type IntegrationEventType } from './events';
import { Topics, deadLetterTopic, type TopicName } from './topics';

/** What each CloudEvents attribute means on our messages; its header name comes from the producer's mapping. */
const ATTRIBUTE_MEANINGS: Record<keyof typeof ENVELOPE_WIRE_NAMES, { description: string; required: boolean }> = {
  id: { required: true, description: 'CloudEvents `id`: the event id (UUID), unique per source.' },
  source: { required: true, description: 'CloudEvents `source`: the producing service.' },
  type: { required: true, description: 'CloudEvents `type`: the event type, e.g. `complaint.received.v1`.' },
  subject: {
    required: true,
    description: 'CloudEvents `subject`: the complaint id (also the message key); on the policy topic, the event id.',
  },
  time: { required: true, description: 'CloudEvents `time`: when the fact was recorded (RFC 3339).' },
  specversion: { required: true, description: 'CloudEvents `specversion`: always `1.0`.' },
  datacontenttype: { required: true, description: 'CloudEvents `datacontenttype`: `application/json`.' },
  streamVersion: { required: true, description: 'Extension: the version of the event in its stream.' },
  correlationId: { required: true, description: 'Extension: the id shared by every event of one request.' },
  causationId: { required: false, description: 'Extension: the id of the event that caused this one.' },
  actor: { required: true, description: 'Extension: who acted, as `<role>:<id>`.' },
  tenant: { required: true, description: 'Extension: the tenant the event belongs to.' },
  traceparent: { required: false, description: 'Extension (Distributed Tracing): W3C trace context.' },
  eventhash: { required: false, description: "Extension: the event's hash in the source service's chain." },
  streamid: { required: false, description: "Extension: the event's stream in the source service." },
};

/**
 * The Kafka message headers, as the CloudEvents Kafka protocol binding (binary content mode) defines
 * them: `ce_` plus the attribute's wire name (ENVELOPE_WIRE_NAMES, what the relay writes), and
 * `content-type` for datacontenttype.
 */
export const CLOUDEVENTS_KAFKA_HEADERS: Readonly<Record<string, { description: string; required: boolean }>> =
  Object.fromEntries(
    (Object.keys(ATTRIBUTE_MEANINGS) as (keyof typeof ENVELOPE_WIRE_NAMES)[]).map((attribute) => [
      attribute === 'datacontenttype' ? 'content-type' : `ce_${ENVELOPE_WIRE_NAMES[attribute]}`,
      ATTRIBUTE_MEANINGS[attribute],
    ]),
  );

/** What each dead-letter header means (the names are the writers' own, DEAD_LETTER_HEADER_NAMES). */
const DEAD_LETTER_MEANINGS: Record<keyof typeof DEAD_LETTER_HEADER_NAMES, string> = {
  reason: 'Why the message could not be handled (at most 4000 characters).',
  originalTopic: 'The topic the message was meant for or read from.',
  originalPartition: 'Consumer dead letters: the partition the message was read from.',
  originalOffset: 'Consumer dead letters: the offset the message was read from.',
  consumerGroup: 'The consumer group that gave up (`outbox-relay` for the relay).',
  attempts: 'Consumer dead letters: how many times handling was tried.',
  storedPosition: "Relay dead letters: the event's global position in the producing service's store.",
  failedAt: 'When the message was dead-lettered (ISO 8601).',
};

/**
 * The headers a dead letter carries besides the original message's headers. The relay writes
 * `dlt-stored-position` (an event it could not publish); consumers write the original partition,
 * offset and attempts.
 */
export const DEAD_LETTER_HEADERS: Readonly<Record<string, string>> = Object.fromEntries(
  (Object.keys(DEAD_LETTER_MEANINGS) as (keyof typeof DEAD_LETTER_HEADER_NAMES)[]).map((key) => [
    DEAD_LETTER_HEADER_NAMES[key],
    DEAD_LETTER_MEANINGS[key],
  ]),
);

const PRODUCERS: Record<TopicName, string> = {
  [Topics.intake]: 'intake',
  [Topics.routing]: 'routing',
  [Topics.resolution]: 'resolution',
  [Topics.policy]: 'resolution and routing (each for the policy kinds it keeps)',
};

/** What each topic's message key (and CloudEvents `subject`) is: the complaint, except for policy versions. */
const KEYS: Record<TopicName, string> = {
  [Topics.intake]: 'the complaint id',
  [Topics.routing]: 'the complaint id',
  [Topics.resolution]: 'the complaint id (a follow-on case: its own case id)',
  [Topics.policy]: "the event's own id (a policy version concerns no complaint)",
};

/** What each event means. A type added to IntegrationEvents without a line here does not compile. */
export const EVENT_MEANINGS: Record<IntegrationEventType, string> = {
  'complaint.received.v1': 'A complaint arrived on a channel and was registered (personal fields sealed).',
  'complaint.duplicate-suspected.v1': 'Intake suspects the complaint repeats an earlier one and links them.',
  'complaint.duplicate-link-removed.v1': 'A suspected-duplicate link was removed after review.',
  'complaint.repeat-complainant-flagged.v1': 'The complainant has complained repeatedly within the policy window.',
  'complainant.erased.v1': "A data subject was erased: their data key is destroyed, sealed fields read '[erased]'.",
  'complaint.routed.v1': 'Routing placed the complaint: department, queue, priority and SLA policy.',
  'complaint.rerouted.v1': 'The complaint was placed again (another department, queue or priority), with the reason.',
  'case.opened.v1': 'Resolution opened a case for a routed complaint and started its SLA clocks.',
  'case.acknowledged.v1': 'The complaint was acknowledged to the complainant on a channel.',
  'case.investigation-recorded.v1': 'A finding of the investigation was recorded.',
  'case.accountability-assigned.v1': 'The cause was found and the responsible department (and staff) named.',
  'case.validity-judged.v1': 'The complaint was judged valid or not, with the reason.',
  'case.resolution-proposed.v1': 'A resolution proposal with one or more options was made.',
  'case.resolution-option-refused.v1': 'An option of a kind the policy does not allow was refused, with the reason.',
  'case.proposal-approved.v1': 'A proposal was approved by someone entitled to approve it.',
  'case.proposal-rejected.v1': 'A proposal was rejected by the approver, with the reason.',
  'case.option-accepted.v1': 'The complainant accepted one option of an approved proposal.',
  'case.options-rejected.v1': 'The complainant rejected every option of a proposal.',
  'case.escalated.v1':
    'The case went up an escalation level (customer rejection, SLA breach, unacknowledged escalation or by hand).',
  'case.escalation-acknowledged.v1': 'The escalation was acknowledged by its recipient.',
  'case.sla-warning-issued.v1': 'An SLA clock passed its warning threshold.',
  'case.sla-breached.v1': 'An SLA clock passed its deadline.',
  'case.resolved.v1': 'The case was resolved with an outcome.',
  'case.customer-notified.v1': 'The complainant was contacted (progress, result, explanation or other).',
  'case.waiting-on-customer.v1': 'The case waits for the complainant; clocks that allow it pause.',
  'case.resumed.v1': 'The complainant answered; paused clocks run again.',
  'case.follow-up-scheduled.v1': 'A follow-up contact was scheduled after resolution.',
  'case.satisfaction-recorded.v1': "The complainant's satisfaction was recorded.",
  'case.closed.v1': 'The case was closed.',
  'case.reopened.v1': 'A closed case was reopened, with the reason.',
  'case.follow-on-opened.v1': 'A follow-on case was opened from this one, with the reason.',
  'case.reassigned.v1': 'The case was given to another handler or team.',
  'case.extension-requested.v1': 'More time was requested on a deadline.',
  'case.extension-decided.v1': 'An extension request was granted or refused.',
  'policy.version-published.v1':
    'A tenant published a version of a policy kind (approval limits, escalation directory…), effective from an instant.',
};

const channelId = (topic: string) => topic.replace(/\./g, '-');
const messageId = (type: string) => type.replace(/\./g, '-');

type ZodInput = Parameters<typeof zodToJsonSchema>[0];

function jsonSchema(schema: z.ZodTypeAny): Record<string, unknown> {
  // zod-to-json-schema types its input with zod/v3's declarations, the same classes zod 3.25 exports
  // from its root under another path: one runtime, two type identities.
  const converted = zodToJsonSchema(schema as unknown as ZodInput, { $refStrategy: 'none' });
  const { $schema: _drop, ...rest } = converted as Record<string, unknown>;
  return rest;
}

function headersSchema(): Record<string, unknown> {
  const entries = Object.entries(CLOUDEVENTS_KAFKA_HEADERS);
  return {
    type: 'object',
    required: entries.filter(([, h]) => h.required).map(([name]) => name),
    properties: Object.fromEntries(entries.map(([name, h]) => [name, { type: 'string', description: h.description }])),
  };
}

function deadLetterHeadersSchema(): Record<string, unknown> {
  const own = Object.entries(DEAD_LETTER_HEADERS).map(([name, description]) => [name, { type: 'string', description }]);
  return {
    type: 'object',
    required: ['dlt-reason', 'dlt-original-topic', 'dlt-consumer-group', 'dlt-failed-at'],
    description: "The original message's headers plus these.",
    properties: Object.fromEntries(own),
  };
}

const capitalised = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** The AsyncAPI 3.0 document: one channel per topic and per dead-letter topic, one message per event type. */
export function asyncApiDocument(): Record<string, unknown> {
  const { data: _data, ...envelopeAttributes } = jsonSchema(envelopeSchema).properties as Record<string, unknown>;
  const types = Object.keys(IntegrationEvents) as IntegrationEventType[];
  const messages: Record<string, unknown> = {};
  for (const type of types) {
    const { topic, schema } = IntegrationEvents[type];
    messages[messageId(type)] = {
      name: type,
      title: type,
      summary: EVENT_MEANINGS[type],
      contentType: 'application/json',
      headers: { $ref: '#/components/schemas/CloudEventsKafkaHeaders' },
      payload: jsonSchema(schema),
      bindings: { kafka: { key: { type: 'string', format: 'uuid', description: `${capitalised(KEYS[topic])}.` } } },
      'x-producer': PRODUCERS[topic],
    };
  }
  messages['dead-letter'] = {
    name: 'dead-letter',
    summary: 'A message that could not be published or handled: the original key and value, unchanged.',
    headers: { $ref: '#/components/schemas/DeadLetterHeaders' },
    payload: { description: 'The original message value, as it was (possibly not valid JSON).' },
  };
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  for (const topic of Object.values(Topics)) {
    const own = types.filter((type) => IntegrationEvents[type].topic === topic);
    channels[channelId(topic)] = {
      address: topic,
      description: `Events produced by the ${PRODUCERS[topic]} service (message key: ${KEYS[topic]}).`,
      messages: Object.fromEntries(own.map((t) => [messageId(t), { $ref: `#/components/messages/${messageId(t)}` }])),
    };
    operations[`publish-${channelId(topic)}`] = {
      action: 'send',
      channel: { $ref: `#/channels/${channelId(topic)}` },
      summary: `The ${PRODUCERS[topic]} service's outbox relay publishes its events.`,
    };
    const dlt = deadLetterTopic(topic);
    channels[channelId(dlt)] = {
      address: dlt,
      description: `Dead letters of ${topic}: what its relay could not publish or a consumer could not handle.`,
      messages: { 'dead-letter': { $ref: '#/components/messages/dead-letter' } },
    };
    operations[`dead-letter-${channelId(topic)}`] = {
      action: 'send',
      channel: { $ref: `#/channels/${channelId(dlt)}` },
      summary: 'The relay and consumers dead-letter what they cannot handle.',
    };
  }
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Complaint platform integration events',
      version: '1.0.0',
      description:
        'Generated from libs/contracts by `npm run asyncapi`; do not edit by hand. Every event is a CloudEvent ' +
        '(Kafka binding, binary mode): attributes in `ce_` headers, `data` as the JSON value.',
    },
    defaultContentType: 'application/json',
    channels,
    operations,
    components: {
      messages,
      schemas: {
        CloudEventsKafkaHeaders: headersSchema(),
        DeadLetterHeaders: deadLetterHeadersSchema(),
        CloudEventAttributes: { type: 'object', properties: envelopeAttributes },
      },
    },
  };
}

export function asyncApiYaml(): string {
  return stringify(asyncApiDocument(), { lineWidth: 0 });
}

/** docs/events.md's account of the two wire shapes and of how the previous one is retired. */
const WIRE_SHAPE_RETIREMENT = [
  '## Wire shapes, and retiring the previous one',
  '',
  'Events are written in the CloudEvents 1.0 Kafka binding, binary mode (`ce_` headers, `content-type`, the data as the value:',
  '[integration.md](integration.md#events-on-kafka-cloudevents-10-kafka-protocol-binding)). The previous shape put the whole',
  'camelCase envelope in the value with the headers `ce-id`, `ce-type`, `ce-source`, `correlation-id` and `tenant`. One message',
  "cannot be both: the SDK reads the value as the event's data, a previous-release consumer as the envelope. So, for one release:",
  '',
  "- Every reader of this release (the services' consumers, analytics' rebuild) reads both shapes.",
  '- `EVENTS_WRITE_PREVIOUS_SHAPE=true` makes every service write the previous shape instead, for consumers outside the',
  '  platform not yet upgraded; CloudEvents SDKs cannot read those messages. Default `false`: the binary mode.',
  '',
  'Retiring it: (1) upgrade to this release with `EVENTS_WRITE_PREVIOUS_SHAPE=true` if a consumer of yours still reads the',
  'previous shape; (2) upgrade those consumers to the binary mode (a CloudEvents SDK, or `envelopeOfMessage` of',
  '`@complaints/contracts`); (3) set it to `false` (or remove it). The next release removes the switch and the previous-shape',
  "reader: before moving to it, no topic a reader may start from may still hold previous-shape messages it needs (let the topics'",
  'retention pass, or rebuild read models from their event stores) and no dead letter in the previous shape may wait for replay.',
];

/** docs/events.md: one row per event type. */
export function eventsMarkdown(): string {
  const rows = (Object.keys(IntegrationEvents) as IntegrationEventType[]).map((type) => {
    const { topic } = IntegrationEvents[type];
    return `| \`${type}\` | \`${topic}\` | ${PRODUCERS[topic]} | ${EVENT_MEANINGS[type]} |`;
  });
  return [
    '# Integration events',
    '',
    '<!-- Generated by `npm run asyncapi` from libs/contracts; do not edit by hand. -->',
    '',
    `Every event type the services publish (${rows.length}). Payload schemas and headers: [asyncapi.yaml](asyncapi.yaml).`,
    'Each topic has a dead-letter topic, its name plus `.dlt` (see [integration.md](integration.md#dead-letters)).',
    '',
    '| Type | Topic | Producer | Meaning |',
    '| --- | --- | --- | --- |',
    ...rows,
    '',
    ...WIRE_SHAPE_RETIREMENT,
    '',
  ].join('\n');
}
