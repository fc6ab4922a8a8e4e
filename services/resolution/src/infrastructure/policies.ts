/**
 * Resolution's policy kinds (approval-limits, escalation-directory) as audited data: versions in
 * the service's event store, a copy in every instance reloaded on each `policy.version-published.v1`
 * (libs/policy/src/policy-cache.ts says why), and what a decision takes from them with the version
 * it names. Before a tenant publishes a kind, its seed (today's file or preset) is version 0.
 */
import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { prefixed, Topics } from '@complaints/contracts';
import type { Database, EventStore } from '@complaints/eventstore';
import {
  CLOCK,
  DATABASE,
  EVENT_STORE,
  SERVICE_CONFIG,
  TRANSPORT,
  type Clock,
  type ServiceConfig,
} from '@complaints/kit';
import type { Subscription, Transport } from '@complaints/messaging';
import {
  PolicyCache,
  PolicyKinds,
  PolicyStore,
  refOf,
  type PolicyKindName,
  type PolicyVersion,
  type PublishContext,
} from '@complaints/policy';
import type { AmountLimits } from '../domain/authority';
import { directoryOf, type DirectoryInForce, type EscalationDirectoryDocument } from '../domain/escalation';
import { approvalLimitsKind, AuthorityLimits, type LimitsDocument } from './authority-limits';
import { escalationDirectoryKind } from './escalation-directory';

/** The kinds resolution keeps, with their seeds (the limits files, DEFAULT_DIRECTORY). */
export const resolutionPolicyKinds = (seeds: AuthorityLimits) =>
  new PolicyKinds([approvalLimitsKind(seeds), escalationDirectoryKind]);

@Injectable()
export class ResolutionPolicies implements OnModuleInit, OnApplicationShutdown {
  readonly kinds: PolicyKinds;
  private readonly store: PolicyStore;
  private readonly cache: PolicyCache;
  private subscription: Subscription | undefined;

  constructor(
    @Inject(DATABASE) db: Database,
    @Inject(EVENT_STORE) events: EventStore,
    @Inject(TRANSPORT) private readonly transport: Transport,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    seeds: AuthorityLimits,
  ) {
    this.kinds = resolutionPolicyKinds(seeds);
    this.store = new PolicyStore(db, events, this.kinds);
    this.cache = new PolicyCache(this.kinds, () => this.store.all(), new Logger('Policies'));
  }

  async onModuleInit(): Promise<void> {
    await this.cache.refresh();
    const topic = prefixed(this.config.topicPrefix, Topics.policy);
    const group = prefixed(this.config.topicPrefix, `${this.config.service}.policy.${this.config.instanceId}`);
    this.subscription = await this.cache.follow(this.transport, topic, group);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.subscription?.stop().catch(() => undefined);
  }

  /** Publishes the next version and reloads this instance's copy at once (the others on the notification). */
  async publish(
    kind: PolicyKindName,
    request: { document: unknown; effectiveFrom?: string; reason: string },
    context: Omit<PublishContext, 'now'>,
  ): Promise<PolicyVersion> {
    const version = await this.store.publish(kind, request, { ...context, now: this.clock.now() });
    await this.cache.refresh();
    return version;
  }

  /** The published versions (from the store, in the caller's tenant scope), the seed first as version 0. */
  async versions(tenant: string, kind: PolicyKindName): Promise<PolicyVersion[]> {
    return [this.cache.seed(tenant, kind), ...(await this.store.versions(tenant, kind))];
  }

  inForce<D>(tenant: string, kind: PolicyKindName, at: Date = this.clock.now()): PolicyVersion<D> {
    return this.cache.inForce<D>(tenant, kind, at);
  }

  /** The approval limits a decision uses now, naming their version. */
  limitsFor(tenant: string, at: Date = this.clock.now()): AmountLimits {
    const version = this.inForce<LimitsDocument>(tenant, 'approval-limits', at);
    return {
      source: version.source ?? `approval-limits v${version.version}`,
      limits: version.document.limits,
      policy: refOf(version),
    };
  }

  /** Who escalations notify now, naming the directory's version. */
  directoryFor(tenant: string, at: Date = this.clock.now()): DirectoryInForce {
    const version = this.inForce<EscalationDirectoryDocument>(tenant, 'escalation-directory', at);
    return { directory: directoryOf(version.document), policy: refOf(version) };
  }
}
