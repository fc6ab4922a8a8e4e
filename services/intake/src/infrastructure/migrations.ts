import type { Migration } from '@complaints/eventstore';

export const intakeMigrations: Migration[] = [
  {
    name: 'IntakeRegistration1763800001000',
    up: `
      CREATE TABLE reference_counters (year integer PRIMARY KEY, last integer NOT NULL);
      CREATE TABLE idempotency_keys (
        tenant text NOT NULL,
        key text NOT NULL,
        request_hash text NOT NULL,
        complaint_id uuid NOT NULL,
        response jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant, key)
      );
    `,
  },
  {
    name: 'IntakeAttachments1763800001100',
    up: `
      CREATE TABLE attachments (
        sha256 text PRIMARY KEY,
        media_type text NOT NULL,
        size integer NOT NULL,
        content bytea NOT NULL,
        stored_at timestamptz NOT NULL DEFAULT now()
      );
    `,
  },
];
