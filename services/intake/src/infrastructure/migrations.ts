import { tenantIsolation, type Migration } from '@complaints/eventstore';
import type { DedupTable } from '@complaints/messaging';

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
  {
    name: 'IntakePseudonymousIndex1763800001300',
    up: `
      -- Matching by the data subject's pseudonym, never by a plain phone, email or customer id. Rows
      -- written before keep their customer_key and match nothing new; erasure empties description.
      ALTER TABLE complaint_index ADD COLUMN subject_id text;
      ALTER TABLE complaint_index ALTER COLUMN customer_key DROP NOT NULL;
      ALTER TABLE complaint_index ALTER COLUMN description DROP NOT NULL;
      CREATE INDEX complaint_index_by_subject ON complaint_index (subject_id, received_at);
      `,
  },
  {
    name: 'IntakeAttachmentTenants1763800001400',
    up: `
      -- Attachments are stored once by content; a tenant reads only those it sent itself.
      CREATE TABLE attachment_tenants (
        tenant text NOT NULL,
        sha256 text NOT NULL REFERENCES attachments (sha256) ON DELETE CASCADE,
        PRIMARY KEY (tenant, sha256)
      );
      INSERT INTO attachment_tenants (tenant, sha256)
      SELECT DISTINCT e.metadata->>'tenant', a->>'sha256'
        FROM events e, jsonb_array_elements(coalesce(e.data->'attachments', '[]'::jsonb)) a
       WHERE e.type = 'ComplaintReceived' AND a->>'sha256' IN (SELECT sha256 FROM attachments)
      ON CONFLICT DO NOTHING;
    `,
  },
  {
    name: 'IntakeTenantIsolation1763800001500',
    // Row-level security (tenant-scope.ts): a request sees only its tenant's rows. An attachment is
    // stored once by content and is visible to a tenant only through its own attachment_tenants row.
    // Storing content another tenant sent first must not fail on a row the caller cannot see
    // (ON CONFLICT reads it), so content is stored through a function that runs as the owner; the
    // caller then links it to its own tenant, which the policy checks.
    up: `
      ${tenantIsolation('idempotency_keys')}
      ${tenantIsolation('complaint_index')}
      ${tenantIsolation('attachment_tenants')}
      ALTER TABLE attachments ENABLE ROW LEVEL SECURITY;
      CREATE POLICY tenant_isolation ON attachments
        USING (EXISTS (SELECT 1 FROM attachment_tenants t WHERE t.sha256 = attachments.sha256));
      CREATE FUNCTION store_attachment_content(p_sha256 text, p_media_type text, p_size integer, p_content bytea)
        RETURNS void LANGUAGE sql SECURITY DEFINER SET search_path FROM CURRENT AS $$
          INSERT INTO attachments (sha256, media_type, size, content)
          VALUES (p_sha256, p_media_type, p_size, p_content) ON CONFLICT (sha256) DO NOTHING
        $$;
    `,
  },
  {
    name: 'IntakeReferenceSequences1763800001600',
    // Reference numbers from one sequence per year, taken without a lock: a registration no longer
    // waits for every other one to commit. A sequence is created (as the owner) by the year's first
    // registration, continuing from the counter row of the gapless scheme it replaces.
    up: `
      CREATE FUNCTION next_reference_number(p_year integer) RETURNS bigint
        LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
      DECLARE
        sequence_name text := format('reference_%s', p_year);
        previous integer;
      BEGIN
        RETURN nextval(sequence_name);
      EXCEPTION WHEN undefined_table THEN
        SELECT last INTO previous FROM reference_counters WHERE year = p_year;
        BEGIN
          EXECUTE format('CREATE SEQUENCE %I START WITH %s', sequence_name, coalesce(previous, 0) + 1);
        EXCEPTION WHEN duplicate_table OR unique_violation THEN
          NULL; -- another registration created it first
        END;
        RETURN nextval(sequence_name);
      END $$;
    `,
  },
  {
    name: 'IntakeRegistrationContext1763800001700',
    // What a registration reads before it decides, in one round trip (infrastructure/registration/
    // registration-context.ts): the registration an earlier request made under the same
    // de-duplication key, if any; else, under the per-customer lock, the customer's similar and
    // recent complaints, and the reference number. VOLATILE and plpgsql, so each query below takes
    // its snapshot after the one before it finished — the reads after the lock see every complaint
    // of the customer committed while it was waited for. It runs as the caller (row-level security
    // applies); the lock key is the one intake took before, so old and new instances exclude each other.
    up: `
      CREATE FUNCTION registration_context(
        p_tenant text, p_key text, p_subject_id text, p_description text, p_since timestamptz,
        p_min_similarity float, p_year integer)
        RETURNS TABLE (earlier_request_hash text, earlier_response jsonb, similar_complaints jsonb,
                       complaints_in_window bigint, reference_number bigint)
        LANGUAGE plpgsql VOLATILE SET search_path FROM CURRENT AS $$
      BEGIN
        IF p_key IS NOT NULL THEN
          RETURN QUERY SELECT k.request_hash, k.response, NULL::jsonb, NULL::bigint, NULL::bigint
            FROM idempotency_keys k WHERE k.tenant = p_tenant AND k.key = p_key;
          IF FOUND THEN RETURN; END IF;
        END IF;
        PERFORM pg_advisory_xact_lock(hashtext('customer:' || p_subject_id));
        RETURN QUERY SELECT NULL::text, NULL::jsonb,
          (SELECT coalesce(jsonb_agg(jsonb_build_object('complaintId', s.complaint_id, 'reference', s.reference,
                                                        'similarity', s.similarity) ORDER BY s.similarity DESC), '[]')
             FROM (SELECT c.complaint_id, c.reference, similarity(c.description, p_description)::float AS similarity
                     FROM complaint_index c
                    WHERE c.subject_id = p_subject_id AND c.received_at > p_since
                      AND similarity(c.description, p_description) >= p_min_similarity
                    ORDER BY 3 DESC LIMIT 3) s),
          (SELECT count(*) FROM complaint_index c WHERE c.subject_id = p_subject_id AND c.received_at > p_since),
          next_reference_number(p_year);
      END $$;
    `,
  },
  {
    name: 'IntakeTenantAttachments1763800001800',
    // Evidence is the tenant's own: content-addressed within the tenant, so one tenant's erasure
    // can only ever delete that tenant's copy (erase-data-subject.handler.ts) and no tenant's
    // upload depends on a row another tenant wrote. Content stored once for several tenants is
    // copied to each tenant that linked it.
    up: `
      CREATE TABLE tenant_attachments (
        tenant text NOT NULL,
        sha256 text NOT NULL,
        media_type text NOT NULL,
        size integer NOT NULL,
        content bytea NOT NULL,
        stored_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant, sha256)
      );
      INSERT INTO tenant_attachments (tenant, sha256, media_type, size, content, stored_at)
      SELECT t.tenant, a.sha256, a.media_type, a.size, a.content, a.stored_at
        FROM attachments a JOIN attachment_tenants t USING (sha256);
      DROP FUNCTION store_attachment_content(text, text, integer, bytea);
      -- Each depends on the other (a policy, a foreign key): dropped together.
      DROP TABLE attachments, attachment_tenants;
      ALTER TABLE tenant_attachments RENAME TO attachments;
      ALTER INDEX tenant_attachments_pkey RENAME TO attachments_pkey;
      ${tenantIsolation('attachments')}
    `,
  },
  {
    name: 'IntakeIdempotencyPerClient1763800001900',
    // An Idempotency-Key is the client's (API key id, else token subject): another client of the
    // tenant reusing it registers its own complaint and learns nothing of the first. A channel's
    // native id (Message-ID, call id, regulator reference) names the record itself and stays
    // tenant-wide, under client ''. Keys recorded before are kept under '' as well.
    up: `
      ALTER TABLE idempotency_keys ADD COLUMN client text NOT NULL DEFAULT '';
      ALTER TABLE idempotency_keys ALTER COLUMN client DROP DEFAULT;
      ALTER TABLE idempotency_keys DROP CONSTRAINT idempotency_keys_pkey;
      ALTER TABLE idempotency_keys ADD PRIMARY KEY (tenant, client, key);
    `,
  },
  {
    name: 'IntakeKeyedTrigrams1763800002000',
    // Duplicate detection without the description in clear: each complaint keeps the set of its
    // description's trigrams (normalised as pg_trgm does) as HMACs under its data subject's key
    // (infrastructure/registration/trigrams.ts), and similarity is pg_trgm's — shared trigrams over all
    // trigrams of both (Jaccard) — computed on those sets. Matching only compares one subject's
    // complaints, all tagged with that subject's key; once erasure destroys the key the tags link
    // to nothing. The plain column goes once the rows written before are tagged
    // (infrastructure/registration/legacy-descriptions.ts: that needs the vault, which SQL cannot reach).
    up: `
      ALTER TABLE complaint_index ADD COLUMN description_trigrams text[];
      CREATE FUNCTION keyed_similarity(a text[], b text[]) RETURNS float
        LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
          SELECT CASE WHEN i.n = 0 THEN 0 ELSE i.n / (cardinality(a) + cardinality(b) - i.n) END
            FROM (SELECT count(*)::float AS n FROM (SELECT unnest(a) INTERSECT SELECT unnest(b)) s) i
        $$;
      DROP FUNCTION registration_context(text, text, text, text, timestamptz, float, integer);
      CREATE FUNCTION registration_context(
        p_tenant text, p_client text, p_key text, p_subject_id text, p_trigrams text[], p_since timestamptz,
        p_min_similarity float, p_year integer)
        RETURNS TABLE (earlier_request_hash text, earlier_response jsonb, similar_complaints jsonb,
                       complaints_in_window bigint, reference_number bigint)
        LANGUAGE plpgsql VOLATILE SET search_path FROM CURRENT AS $$
      BEGIN
        IF p_key IS NOT NULL THEN
          RETURN QUERY SELECT k.request_hash, k.response, NULL::jsonb, NULL::bigint, NULL::bigint
            FROM idempotency_keys k WHERE k.tenant = p_tenant AND k.client = p_client AND k.key = p_key;
          IF FOUND THEN RETURN; END IF;
        END IF;
        PERFORM pg_advisory_xact_lock(hashtext('customer:' || p_subject_id));
        RETURN QUERY SELECT NULL::text, NULL::jsonb,
          (SELECT coalesce(jsonb_agg(jsonb_build_object('complaintId', s.complaint_id, 'reference', s.reference,
                                                        'similarity', s.similarity) ORDER BY s.similarity DESC), '[]')
             FROM (SELECT c.complaint_id, c.reference, keyed_similarity(c.description_trigrams, p_trigrams) AS similarity
                     FROM complaint_index c
                    WHERE c.subject_id = p_subject_id AND c.received_at > p_since
                      AND c.description_trigrams IS NOT NULL
                      AND keyed_similarity(c.description_trigrams, p_trigrams) >= p_min_similarity
                    ORDER BY 3 DESC LIMIT 3) s),
          (SELECT count(*) FROM complaint_index c WHERE c.subject_id = p_subject_id AND c.received_at > p_since),
          next_reference_number(p_year);
      END $$;
    `,
  },
  {
    name: 'IntakeComplaintDepartments1763800002100',
    // Where each complaint's case is now (resolution's case.opened.v1, then case.reassigned.v1) and
    // the evidence it came with: a department-scoped reader downloads only the attachments of its
    // departments' cases (attachments/evidence-scope.ts), the rule for reading the case itself.
    up: `
      CREATE TABLE complaint_departments (
        tenant text NOT NULL,
        complaint_id uuid NOT NULL,
        department text NOT NULL,
        placed_at timestamptz NOT NULL,
        attachments text[] NOT NULL,
        PRIMARY KEY (tenant, complaint_id)
      );
      CREATE INDEX complaint_departments_by_attachment ON complaint_departments USING gin (attachments);
      ${tenantIsolation('complaint_departments')}
    `,
  },
  {
    name: 'IntakeTenantReferenceSequences1763800002200',
    // One reference sequence per tenant and year: from a sequence shared by all tenants, each
    // tenant could read the others' volume off the gaps between its own references. A reference is
    // shown to the customer with the tenant's name and looked up within the tenant, so it is unique
    // per tenant (the index below says so), not globally. A tenant's sequence for a year starts
    // after the highest reference the tenant already holds for that year (complaint_index keeps
    // every one; its rows are never deleted), so numbers issued by the shared sequence are not reused.
    up: `
      CREATE UNIQUE INDEX complaint_index_reference ON complaint_index (tenant, reference);
      CREATE FUNCTION next_reference_number(p_tenant text, p_year integer) RETURNS bigint
        LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
      DECLARE
        -- A tenant id is any text: its digest makes a valid identifier that stays under 63 bytes.
        sequence_name text := format('reference_%s_%s', md5(p_tenant), p_year);
        held bigint;
      BEGIN
        RETURN nextval(sequence_name);
      EXCEPTION WHEN undefined_table THEN
        SELECT max(substring(c.reference FROM '^CMP-' || p_year || '-([0-9]+)$')::bigint) INTO held
          FROM complaint_index c WHERE c.tenant = p_tenant;
        BEGIN
          EXECUTE format('CREATE SEQUENCE %I START WITH %s', sequence_name, coalesce(held, 0) + 1);
        EXCEPTION WHEN duplicate_table OR unique_violation THEN
          NULL; -- another registration created it first
        END;
        RETURN nextval(sequence_name);
      END $$;
      CREATE OR REPLACE FUNCTION registration_context(
        p_tenant text, p_client text, p_key text, p_subject_id text, p_trigrams text[], p_since timestamptz,
        p_min_similarity float, p_year integer)
        RETURNS TABLE (earlier_request_hash text, earlier_response jsonb, similar_complaints jsonb,
                       complaints_in_window bigint, reference_number bigint)
        LANGUAGE plpgsql VOLATILE SET search_path FROM CURRENT AS $$
      BEGIN
        IF p_key IS NOT NULL THEN
          RETURN QUERY SELECT k.request_hash, k.response, NULL::jsonb, NULL::bigint, NULL::bigint
            FROM idempotency_keys k WHERE k.tenant = p_tenant AND k.client = p_client AND k.key = p_key;
          IF FOUND THEN RETURN; END IF;
        END IF;
        PERFORM pg_advisory_xact_lock(hashtext('customer:' || p_subject_id));
        RETURN QUERY SELECT NULL::text, NULL::jsonb,
          (SELECT coalesce(jsonb_agg(jsonb_build_object('complaintId', s.complaint_id, 'reference', s.reference,
                                                        'similarity', s.similarity) ORDER BY s.similarity DESC), '[]')
             FROM (SELECT c.complaint_id, c.reference, keyed_similarity(c.description_trigrams, p_trigrams) AS similarity
                     FROM complaint_index c
                    WHERE c.subject_id = p_subject_id AND c.received_at > p_since
                      AND c.description_trigrams IS NOT NULL
                      AND keyed_similarity(c.description_trigrams, p_trigrams) >= p_min_similarity
                    ORDER BY 3 DESC LIMIT 3) s),
          (SELECT count(*) FROM complaint_index c WHERE c.subject_id = p_subject_id AND c.received_at > p_since),
          next_reference_number(p_tenant, p_year);
      END $$;
      DROP FUNCTION next_reference_number(integer);
    `,
  },
  {
    name: 'IntakeIdempotencyRetention1763800002300',
    // Idempotency-Keys age out (INTAKE_DEDUP_TABLES); the prune finds old rows by this.
    up: `CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at);`,
  },
  {
    name: 'IntakeTenantKeys1763800002400',
    // The tenant in every key that holds tenant data: a complaint id is indexed within its tenant,
    // as complaint_departments already is (docs/security.md, tenant-keys.insider.spec.ts).
    up: `
      ALTER TABLE complaint_index DROP CONSTRAINT complaint_index_pkey;
      ALTER TABLE complaint_index ADD PRIMARY KEY (tenant, complaint_id);
    `,
  },
];

/**
 * Intake's dedup table beyond the inbox: a client's Idempotency-Key only guards its own retries,
 * so it ages out; a channel's native id (Message-ID, call id, regulator reference) is the
 * complaint's identity and is kept.
 */
export const INTAKE_DEDUP_TABLES: DedupTable[] = [
  { table: 'idempotency_keys', writtenAt: 'created_at', only: "key LIKE 'idempotency:%'" },
];
