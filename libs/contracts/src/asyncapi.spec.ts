import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { parse } from 'yaml';
import { asyncApiDocument, asyncApiYaml, CLOUDEVENTS_KAFKA_HEADERS, eventsMarkdown } from './asyncapi';
import { IntegrationEvents } from './events';
import { Topics } from './topics';

const docs = join(__dirname, '..', '..', '..', 'docs');

/** What `npm run asyncapi` commits: the generator's output as prettier leaves it. */
function generated(file: string, text: string) {
  // prettier's CLI, not its API: the API loads its plugins with import(), which jest's CommonJS runtime refuses.
  const prettier = join(docs, '..', 'node_modules', '.bin', 'prettier');
  return execFileSync(prettier, ['--stdin-filepath', join(docs, file)], { input: text, encoding: 'utf8' });
}

describe('the event catalogue', () => {
  it.each([
    ['asyncapi.yaml', asyncApiYaml],
    ['events.md', eventsMarkdown],
  ])('docs/%s is what the contracts generate (run `npm run asyncapi` after changing a schema)', (file, make) => {
    expect(readFileSync(join(docs, file), 'utf8')).toBe(generated(file, make()));
  });

  it('describes every event type as a message on its topic, with the CloudEvents Kafka headers', () => {
    const doc = parse(asyncApiYaml()) as {
      channels: Record<string, { address: string; messages: Record<string, { $ref: string }> }>;
      components: { messages: Record<string, { name: string }>; schemas: Record<string, { properties: object }> };
    };
    const byAddress = new Map(Object.values(doc.channels).map((c) => [c.address, c]));
    for (const [type, { topic }] of Object.entries(IntegrationEvents)) {
      const id = type.replace(/\./g, '-');
      expect(byAddress.get(topic)?.messages[id]).toEqual({ $ref: `#/components/messages/${id}` });
      expect(doc.components.messages[id]?.name).toBe(type);
    }
    for (const topic of Object.values(Topics)) expect(byAddress.has(`${topic}.dlt`)).toBe(true);
    expect(Object.keys(doc.components.schemas.CloudEventsKafkaHeaders?.properties ?? {})).toEqual(
      Object.keys(CLOUDEVENTS_KAFKA_HEADERS),
    );
    expect(Object.keys(CLOUDEVENTS_KAFKA_HEADERS)).toEqual(
      expect.arrayContaining(['ce_id', 'ce_tenant', 'content-type']),
    );
  });

  it('lists every type in docs/events.md', () => {
    const rows = eventsMarkdown()
      .split('\n')
      .filter((line) => line.startsWith('| `'));
    expect(rows).toHaveLength(Object.keys(IntegrationEvents).length);
    expect(asyncApiDocument().asyncapi).toBe('3.0.0');
  });
});
