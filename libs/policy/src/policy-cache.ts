/**
 * Each instance's copy of every tenant's policy versions, read from the owning service's store at
 * start and again whenever a `policy.version-published.v1` notification arrives on the bus.
 *
 * Why "read from the store on a bus notification" rather than building the cache from the
 * messages: the store is the truth and is read whole, so a notification lost, repeated or out of
 * order can only cause one extra read, never a wrong cache; and a new instance needs no history
 * of the topic. Every instance must see every notification, so each subscribes under a consumer
 * group of its own (`<service>.policy.<instance>.<start>`), not the service's shared group.
 * A version effective in the future is in the cache already and is chosen by `inForce` once its
 * instant has passed: no restart, no timer.
 */
import { randomUUID } from 'node:crypto';
import type { Subscription, Transport } from '@complaints/messaging';
import { refOf, versionAt, type PolicyKindName, type PolicyKinds, type PolicyRef, type PolicyVersion } from './policy';
import { policyDigest } from './policy-store';

const key = (tenant: string, kind: string) => `${tenant}\u0000${kind}`;

/** The epoch: the seed has always been in force. */
const SEED_EFFECTIVE_FROM = new Date(0).toISOString();

export class PolicyCache {
  private byKey = new Map<string, PolicyVersion[]>();
  private running: Promise<void> | undefined;
  private again = false;

  constructor(
    private readonly kinds: PolicyKinds,
    private readonly load: () => Promise<PolicyVersion[]>,
    private readonly logger: Pick<Console, 'error'> = console,
  ) {}

  /** Reads every version again; calls during a read coalesce into one more read after it. */
  refresh(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          const next = new Map<string, PolicyVersion[]>();
          for (const v of await this.load()) {
            const list = next.get(key(v.tenant, v.kind)) ?? [];
            list.push(v);
            next.set(key(v.tenant, v.kind), list);
          }
          this.byKey = next;
        } while (this.again);
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  /** The published versions of a kind for a tenant, oldest first (the seed is not among them). */
  versions(tenant: string, kind: PolicyKindName): PolicyVersion[] {
    return this.byKey.get(key(tenant, kind)) ?? [];
  }

  /** The tenant's seed of a kind, as version 0. */
  seed<D>(tenant: string, kind: PolicyKindName): PolicyVersion<D> {
    const { document, source } = this.kinds.get(kind).seed(tenant);
    return {
      tenant,
      kind,
      version: 0,
      effectiveFrom: SEED_EFFECTIVE_FROM,
      document: document as D,
      author: 'seed',
      reason: `seed: ${source}`,
      recordedAt: SEED_EFFECTIVE_FROM,
      digest: policyDigest(document),
      source,
    };
  }

  /** The version in force for a tenant at `at`: the latest effective published one, else the seed. */
  inForce<D>(tenant: string, kind: PolicyKindName, at: Date): PolicyVersion<D> {
    return (versionAt(this.versions(tenant, kind), at) as PolicyVersion<D> | undefined) ?? this.seed<D>(tenant, kind);
  }

  ref(tenant: string, kind: PolicyKindName, at: Date): PolicyRef {
    return refOf(this.inForce(tenant, kind, at));
  }

  /**
   * Reloads on every notification on `topic`, under a consumer group of this instance alone (see
   * the header). A failed reload is logged and the old copy kept; the next notification retries.
   */
  async follow(transport: Transport, topic: string, groupStem: string): Promise<Subscription> {
    await transport.ensureTopics([topic]);
    const reload = () =>
      this.refresh().catch((error: unknown) =>
        this.logger.error(`[policy] reload after a notification failed: ${(error as Error).message}`),
      );
    // A new group reads the topic from its start (the embedded bus: every message of every topic):
    // by the batch, one reload and one commit each, not one per message.
    return transport.subscribe({
      groupId: `${groupStem}.${randomUUID()}`,
      topics: [topic],
      onMessage: reload,
      onBatch: (messages) => (messages.length > 0 ? reload() : Promise.resolve()),
    });
  }
}
