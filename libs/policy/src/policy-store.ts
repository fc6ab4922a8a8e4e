/**
 * Policy versions as events in the owning service's event store: one stream per tenant and kind
 * (`policy:<tenant>:<kind>`), each version a `PolicyVersionPublished` event, published on the bus
 * by the service's outbox relay like every other event (`policyIntegrationEvents`).
 */
import { createHash } from 'node:crypto';
import type { Actor } from '@complaints/decider';
import type { IntegrationPayload } from '@complaints/messaging';
import {
  canonicalJson,
  forAllTenants,
  newId,
  type Database,
  type EventStore,
  type StoredEvent,
} from '@complaints/eventstore';
import {
  decidePublish,
  type PolicyKindName,
  type PolicyKinds,
  type PolicyProblem,
  type PolicyVersion,
  type PublishRequest,
  type RelatedPolicies,
} from './policy';

export const POLICY_VERSION_PUBLISHED = 'PolicyVersionPublished';

export const policyStream = (tenant: string, kind: PolicyKindName) => `policy:${tenant}:${kind}`;

/** sha-256 (hex) of the canonical JSON (keys sorted at every level): a document's identity. */
export const policyDigest = (document: unknown): string =>
  createHash('sha256').update(canonicalJson(document)).digest('hex');

/** A document the kind's validator refused: every problem, by field. */
export class PolicyRejected extends Error {
  constructor(
    readonly kind: PolicyKindName,
    readonly problems: PolicyProblem[],
  ) {
    super(`The ${kind} document is invalid: ${problems.map((p) => `${p.path || '(root)'}: ${p.reason}`).join('; ')}`);
    this.name = 'PolicyRejected';
  }
}

export interface PublishContext {
  tenant: string;
  actor: Actor;
  correlationId: string;
  now: Date;
  /** The tenant's other policies in force, for kinds checked against them. */
  related?: RelatedPolicies;
}

export class PolicyStore {
  constructor(
    private readonly db: Database,
    private readonly store: EventStore,
    private readonly kinds: PolicyKinds,
  ) {}

  /** Appends the next version, or throws PolicyRejected naming each bad field. Retries a concurrent publish once. */
  async publish(kindName: PolicyKindName, request: Omit<PublishRequest, 'author'>, context: PublishContext) {
    const kind = this.kinds.get(kindName);
    const stream = policyStream(context.tenant, kindName);
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.db.transaction(async (tx) => {
          const existing = (await this.store.readStream(tx, stream)).map(versionOf);
          const decided = decidePublish(
            kind,
            context.tenant,
            existing,
            { ...request, author: context.actor.id },
            context.now,
            policyDigest,
            context.related,
          );
          if ('problems' in decided) throw new PolicyRejected(kindName, decided.problems);
          await this.store.append(tx, stream, existing.length, [
            {
              eventId: newId(),
              type: POLICY_VERSION_PUBLISHED,
              data: decided.version,
              metadata: {
                tenant: context.tenant,
                actor: context.actor,
                correlationId: context.correlationId,
                causationId: null,
                time: context.now.toISOString(),
              },
            },
          ]);
          return decided.version;
        });
      } catch (error) {
        if (attempt > 0 || (error as Error).name !== 'StreamVersionConflict') throw error;
      }
    }
  }

  /** A tenant's versions of a kind, oldest first (in the caller's tenant scope). */
  async versions(tenant: string, kind: PolicyKindName): Promise<PolicyVersion[]> {
    return (await this.store.readStream(this.db, policyStream(tenant, kind))).map(versionOf);
  }

  /** Every tenant's versions (the cache's load): read as the service, outside any tenant scope. */
  async all(): Promise<PolicyVersion[]> {
    const { rows } = await forAllTenants(() =>
      this.db.query<{ data: PolicyVersion }>(`SELECT data FROM events WHERE type = $1 ORDER BY global_position`, [
        POLICY_VERSION_PUBLISHED,
      ]),
    );
    return rows.map((r) => r.data);
  }
}

const versionOf = (event: StoredEvent): PolicyVersion => event.data as PolicyVersion;

/** The relay's mapping of a stored policy event to `policy.version-published.v1` (none for other events). */
export function policyIntegrationEvents(stored: StoredEvent): IntegrationPayload[] {
  if (stored.type !== POLICY_VERSION_PUBLISHED) return [];
  const { source: _seedOnly, ...data } = stored.data as PolicyVersion;
  return [{ type: 'policy.version-published.v1', subject: stored.eventId, data }];
}
