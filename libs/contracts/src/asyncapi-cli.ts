/** `npm run asyncapi`: writes docs/asyncapi.yaml and docs/events.md from the contracts. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { asyncApiYaml, eventsMarkdown } from './asyncapi';

const docs = process.argv[2] ?? join(__dirname, '..', '..', '..', 'docs');
writeFileSync(join(docs, 'asyncapi.yaml'), asyncApiYaml());
writeFileSync(join(docs, 'events.md'), eventsMarkdown());
process.stdout.write(`wrote ${join(docs, 'asyncapi.yaml')} and ${join(docs, 'events.md')}\n`);
