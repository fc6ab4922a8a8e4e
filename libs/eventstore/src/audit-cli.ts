#!/usr/bin/env node
/** `auditCommand` with the witness file only (`npm run audit` also reads the Kafka topic: libs/kit/src/audit-cli.ts). */
import { auditCommand } from './audit-command';

auditCommand(process.argv.slice(2), process.env).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(3);
  },
);
