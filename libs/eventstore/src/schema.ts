/**
 * The event store's tables. `transaction_id` (xid8) lets readers follow commit order: a row whose
 * transaction is still open has an id at or above the snapshot's xmin, so a reader that only
 * takes rows below xmin never skips a row that commits late with a lower position.
 */
import type { Migration } from './database';
import { tenantIsolation } from './tenant-scope';

export const eventStoreMigrations: Migration[] = [
  {
    name: 'EventStore1763800000000',
    up: `
      CREATE TABLE events (
        global_position bigserial PRIMARY KEY,
        transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
        event_id uuid NOT NULL UNIQUE,
        stream_id text NOT NULL,
        stream_version integer NOT NULL CHECK (stream_version > 0),
        type text NOT NULL,
        schema_version integer NOT NULL DEFAULT 1,
        data jsonb NOT NULL,
        metadata jsonb NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT events_stream_version_unique UNIQUE (stream_id, stream_version)
      );
      CREATE INDEX events_commit_order ON events (transaction_id, global_position);
      CREATE TABLE outbox_checkpoints (
        name text PRIMARY KEY,
        transaction_id xid8 NOT NULL,
        global_position bigint NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE inbox (
        consumer text NOT NULL,
        event_id uuid NOT NULL,
        processed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer, event_id)
      );
    `,
  },
  {
    name: 'EventStoreHashChain1763800000100',
    up: `
      -- Tamper evidence: each event's hash covers its content and the previous hash of its stream.
      ALTER TABLE events ADD COLUMN hash text, ADD COLUMN prev_hash text;
      CREATE TABLE audit_checkpoints (
        id serial PRIMARY KEY,
        transaction_boundary xid8 NOT NULL,
        digest text NOT NULL,
        heads jsonb NOT NULL,
        public_key text NOT NULL,
        signature text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
    `,
  },
  {
    name: 'EventStoreTenantIsolation1763800000200',
    // Row-level security (tenant-scope.ts): a request reads and appends only its tenant's events.
    up: tenantIsolation('events', "(metadata->>'tenant')"),
  },
  {
    name: 'EventStoreAuditEvidence1763800000300',
    // Checkpoints are numbered (their id), name their key and the previous checkpoint's digest, and
    // say when they were signed, all under the signature. The log is append-only for every role: a
    // writer who wants to rewrite it must first lift the trigger, which needs the table's owner.
    up: `
      ALTER TABLE audit_checkpoints ALTER COLUMN id DROP DEFAULT,
        ADD COLUMN key_id text, ADD COLUMN previous_digest text, ADD COLUMN signed_at timestamptz;
      CREATE FUNCTION events_refuse_rewrite() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'events are append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$;
      CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
        FOR EACH ROW EXECUTE FUNCTION events_refuse_rewrite();
      CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
        FOR EACH STATEMENT EXECUTE FUNCTION events_refuse_rewrite();
    `,
  },
  {
    name: 'EventStoreInboxRetention1763800000400',
    // The inbox is pruned by age (libs/messaging dedup-retention.ts): the prune finds old rows by this.
    up: `CREATE INDEX inbox_processed_at ON inbox (processed_at);`,
  },
];
