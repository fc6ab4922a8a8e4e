import { tenantIsolation, type Migration } from '@complaints/eventstore';

export const analyticsMigrations: Migration[] = [
  {
    name: 'AnalyticsTimeline1763800004000',
    up: `
      CREATE TABLE case_history (
        seq bigserial PRIMARY KEY,
        event_id uuid NOT NULL UNIQUE,
        complaint_id uuid NOT NULL,
        tenant text NOT NULL,
        source text NOT NULL,
        type text NOT NULL,
        occurred_at timestamptz NOT NULL,
        actor jsonb NOT NULL,
        correlation_id text NOT NULL,
        causation_id text,
        stream_version integer NOT NULL,
        data jsonb NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX case_history_by_case ON case_history (complaint_id, occurred_at, seq);
      CREATE TABLE case_summaries (
        complaint_id uuid PRIMARY KEY,
        tenant text NOT NULL,
        status text NOT NULL,
        summary jsonb NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      );
    `,
  },
  {
    name: 'AnalyticsSlaMetrics1763800004900',
    // The SLA and escalation gauges read these few event types on every scrape.
    up: `CREATE INDEX case_history_sla_events ON case_history (type, complaint_id)
           WHERE type IN ('case.sla-warning-issued.v1', 'case.sla-breached.v1', 'case.escalated.v1');`,
  },
  {
    name: 'AnalyticsTenantIsolation1763800005000',
    // Row-level security (tenant-scope.ts): a request sees only its tenant's rows.
    up: `${tenantIsolation('case_history')} ${tenantIsolation('case_summaries')}`,
  },
  {
    name: 'AnalyticsHistoryEvidence1763800005100',
    // The source event's hash and stream, as its integration event carried them (null before).
    up: 'ALTER TABLE case_history ADD COLUMN event_hash text, ADD COLUMN source_stream text;',
  },
  {
    name: 'AnalyticsTenantKeys1763800005200',
    // The tenant in every key that holds tenant data: a complaint id is one tenant's, so another
    // tenant's event naming the same id (forged, or a tenant's own import) is another case and
    // never folds into this one's summary (docs/security.md, tenant-keys.insider.spec.ts).
    up: `
      ALTER TABLE case_summaries DROP CONSTRAINT case_summaries_pkey;
      ALTER TABLE case_summaries ADD PRIMARY KEY (tenant, complaint_id);
    `,
  },
];
