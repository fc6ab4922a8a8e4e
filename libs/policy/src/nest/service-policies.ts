/**
 * A service's policies as audited data (docs/policy.md), for Nest: the kinds it keeps (versions in
 * its event store, published through its admin API, `PoliciesController`) and the kinds it applies
 * but another service keeps (read from the bus). Each instance holds a copy (PolicyCache) that
 * follows the policy topic under a group of its own, so a change applies without a restart.
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
import { PolicyKinds, refOf, type PolicyKindName, type PolicyRef, type PolicyVersion } from '../policy';
import { PolicyCache } from '../policy-cache';
import { PolicyStore, type PublishContext } from '../policy-store';

/** The kinds a service keeps and those it applies from another (a provider under this token). */
export const SERVICE_POLICY_KINDS = Symbol('SERVICE_POLICY_KINDS');

export interface ServicePolicyKinds {
  kept: PolicyKinds;
  replicated?: PolicyKinds;
}

@Injectable()
export class ServicePolicies implements OnModuleInit, OnApplicationShutdown {
  readonly kept: PolicyKinds;
  readonly replicated: PolicyKinds;
  private readonly store: PolicyStore;
  private readonly cache: PolicyCache;
  private subscription: Subscription | undefined;

  constructor(
    @Inject(DATABASE) db: Database,
    @Inject(EVENT_STORE) events: EventStore,
    @Inject(TRANSPORT) private readonly transport: Transport,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(SERVICE_POLICY_KINDS) kinds: ServicePolicyKinds,
  ) {
    this.kept = kinds.kept;
    this.replicated = kinds.replicated ?? new PolicyKinds([]);
    this.store = new PolicyStore(db, events, this.kept);
    this.cache = new PolicyCache(this.kept, () => this.store.all(), new Logger('Policies'), this.replicated);
  }

  /** Before the instance serves: its own store read, and the topic read to its end for the replicated kinds. */
  async onModuleInit(): Promise<void> {
    const topic = prefixed(this.config.topicPrefix, Topics.policy);
    await this.cache.refresh();
    await this.cache.catchUp(this.transport, topic);
    const group = prefixed(this.config.topicPrefix, `${this.config.service}.policy.${this.config.instanceId}`);
    this.subscription = await this.cache.follow(this.transport, topic, group);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.subscription?.stop().catch(() => undefined);
  }

  /** Whether this service applies the kind (kept here or replicated). */
  applies(name: string): PolicyKindName | undefined {
    return (this.kept.find(name) ?? this.replicated.find(name))?.name;
  }

  /** Publishes the next version of a kept kind and reloads this instance's copy at once (the others on the notification). */
  async publish(
    kind: PolicyKindName,
    request: { document: unknown; effectiveFrom?: string; reason: string },
    context: Omit<PublishContext, 'now'>,
  ): Promise<PolicyVersion> {
    const now = this.clock.now();
    const related = {
      tenant: context.tenant,
      documentOf: <D>(k: PolicyKindName) => this.inForce<D>(context.tenant, k, now).document,
    };
    const version = await this.store.publish(kind, request, { ...context, now, related });
    await this.cache.refresh();
    return version;
  }

  /** The versions (kept kinds: from the store, in the caller's tenant scope; replicated: this copy), the seed first as version 0. */
  async versions(tenant: string, kind: PolicyKindName): Promise<PolicyVersion[]> {
    const published = this.kept.find(kind)
      ? await this.store.versions(tenant, kind)
      : this.cache.versions(tenant, kind);
    return [this.cache.seed(tenant, kind), ...published];
  }

  inForce<D>(tenant: string, kind: PolicyKindName, at: Date = this.clock.now()): PolicyVersion<D> {
    return this.cache.inForce<D>(tenant, kind, at);
  }

  /** One version of this instance's copy by number (0: the seed); undefined while the copy does not hold it. */
  version<D>(tenant: string, kind: PolicyKindName, n: number): PolicyVersion<D> | undefined {
    if (n === 0) return this.cache.seed<D>(tenant, kind);
    return this.cache.versions(tenant, kind).find((v) => v.version === n) as PolicyVersion<D> | undefined;
  }

  ref(tenant: string, kind: PolicyKindName, at: Date = this.clock.now()): PolicyRef {
    return refOf(this.inForce(tenant, kind, at));
  }
}
