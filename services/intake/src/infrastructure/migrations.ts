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
  {
    name: 'IntakeCustomerHistory1763800001200',
    up: `
      -- pg_trgm is a trusted extension: the database owner may create it.
      CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;
      CREATE TABLE complaint_index (
        complaint_id uuid PRIMARY KEY,
        tenant text NOT NULL,
        customer_key text NOT NULL,
        reference text NOT NULL,
        description text NOT NULL,
        received_at timestamptz NOT NULL
      );
      CREATE INDEX complaint_index_by_customer ON complaint_index (tenant, customer_key, received_at);
    `,
  },
];
