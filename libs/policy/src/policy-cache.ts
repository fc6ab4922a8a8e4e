/**
 * Each instance's copy of every tenant's policy versions.
 *
 * Kinds the service OWNS (it keeps their versions in its event store and serves the admin API
 * for them) are read from that store at start and again whenever a `policy.version-published.v1`
 * notification of one of them arrives. Why "read from the store on a notification" rather than
 * building the copy from the messages: the store is the truth and is read whole, so a
 * notification lost, repeated or out of order can only cause one extra read, never a wrong copy.
 *
 * Kinds the service REPLICATES (another service owns them, e.g. intake applies resolution's `sla`
 * and `calendar`) come from the messages themselves: the policy topic is kept forever, so an
 * instance reads it whole at start (`catchUp`) before it serves, then adds every version that
 * arrives. Each replicated version is checked before it is used: its digest is recomputed, its
 * document passes the kind's validator and the envelope's tenant is the version's tenant; one that
 * fails is logged and ignored (the seed or the last good version stays in force).
 *
 * Every instance must see every notification, so each subscribes under a consumer group of its
 * own (`<service>.policy.<instance>.<start>`), not the service's shared group. A version effective
 * in the future is in the copy already and is chosen by `inForce` once its instant has passed: no
 * restart, no timer.
 */
import { randomUUID } from 'node:crypto';
import { asEventOfType, envelopeOfMessage, parseIntegrationEvent } from '@complaints/contracts';
import type { IncomingMessage, Subscription, Transport } from '@complaints/messaging';
import {
  isPolicyKind,
  PolicyKinds,
  refOf,
  versionAt,
  type PolicyKindName,
  type PolicyRef,
  type PolicyVersion,
} from './policy';
import { policyDigest } from './policy-store';

const key = (tenant: string, kind: string) => `${tenant}\u0000${kind}`;

/** The epoch: the seed has always been in force. */
const SEED_EFFECTIVE_FROM = new Date(0).toISOString();

export class PolicyCache {
  private byKey = new Map<string, PolicyVersion[]>();
  /** Versions of replicated kinds, by tenant and kind, then by version number. */
  private readonly replicas = new Map<string, Map<number, PolicyVersion>>();
  private running: Promise<void> | undefined;
  private again = false;

  /**
   * @param kinds the kinds this service owns (read from `load`)
   * @param load every tenant's published versions of the owned kinds (the store)
   * @param replicated the kinds this service applies but another owns (read from the bus)
   */
  constructor(
    private readonly kinds: PolicyKinds,
    private readonly load: () => Promise<PolicyVersion[]>,
    private readonly logger: Pick<Console, 'error'> = console,
    private readonly replicated: PolicyKinds = new PolicyKinds([]),
  ) {}

  private kindOf(name: PolicyKindName) {
    return this.kinds.find(name) ?? this.replicated.get(name);
  }

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
    const replica = this.replicas.get(key(tenant, kind));
    if (replica) return [...replica.values()].sort((a, b) => a.version - b.version);
    return this.byKey.get(key(tenant, kind)) ?? [];
  }

  /** The tenant's seed of a kind, as version 0. */
  seed<D>(tenant: string, kind: PolicyKindName): PolicyVersion<D> {
    const { document, source } = this.kindOf(kind).seed(tenant);
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
   * Adds a replicated version read from the bus, after checking it (see the header); returns why
   * it was refused, if it was. A version already held is kept as it is (versions are immutable).
   */
  accept(version: PolicyVersion, envelopeTenant: string): string | undefined {
    const kind = this.replicated.find(version.kind);
    if (!kind) return undefined;
    const problem =
      envelopeTenant !== version.tenant
        ? `its envelope's tenant ${envelopeTenant} is not the version's tenant ${version.tenant}`
        : policyDigest(version.document) !== version.digest
          ? 'its document does not match its digest'
          : kind
              .validate(version.document)
              .map((p) => `${p.path || '(root)'}: ${p.reason}`)
              .join('; ') || undefined;
    if (problem) return problem;
    const versions = this.replicas.get(key(version.tenant, version.kind)) ?? new Map<number, PolicyVersion>();
    if (!versions.has(version.version)) versions.set(version.version, version);
    this.replicas.set(key(version.tenant, version.kind), versions);
    return undefined;
  }

  /**
   * Takes in a batch from the policy topic: replicated versions are added, and a version of an
   * owned kind makes the copy read the store again. Messages of other kinds are passed over.
   */
  private async take(messages: IncomingMessage[]): Promise<void> {
    let owned = false;
    for (const message of messages) {
      let event;
      try {
        event = asEventOfType(parseIntegrationEvent(envelopeOfMessage(message)), 'policy.version-published.v1');
      } catch (error) {
        this.logger.error(
          `[policy] unreadable message at ${message.topic}/${message.partition}@${message.offset}: ${(error as Error).message}`,
        );
        continue;
      }
      if (!event || !isPolicyKind(event.data.kind)) continue;
      const version = event.data as PolicyVersion;
      if (this.kinds.find(version.kind)) owned = true;
      const refused = this.accept(version, event.tenant);
      if (refused) {
        this.logger.error(
          `[policy] ignored ${version.kind} v${version.version} of ${version.tenant} (${message.topic}@${message.offset}): ${refused}`,
        );
      }
    }
    if (owned) {
      await this.refresh().catch((error: unknown) =>
        this.logger.error(`[policy] reload after a notification failed: ${(error as Error).message}`),
      );
    }
  }

  /** Reads the policy topic up to its end now: what the replicated kinds hold before the instance serves. */
  async catchUp(transport: Transport, topic: string): Promise<void> {
    if (this.replicated.names.length === 0) return;
    await transport.ensureTopics([topic]);
    await (await transport.history([topic])).read((messages) => this.take(messages));
  }

  /**
   * Follows the policy topic under a consumer group of this instance alone (see the header). A
   * failed reload is logged and the old copy kept; the next notification retries.
   */
  async follow(transport: Transport, topic: string, groupStem: string): Promise<Subscription> {
    await transport.ensureTopics([topic]);
    // A new group reads the topic from its start (the embedded bus: every message of every topic):
    // by the batch, one reload and one commit each, not one per message.
    return transport.subscribe({
      groupId: `${groupStem}.${randomUUID()}`,
      // The instance's own group: deleted when it stops, not left behind at every restart.
      ephemeral: true,
      topics: [topic],
      onMessage: (message) => this.take([message]),
      onBatch: (messages) => this.take(messages),
    });
  }
}
