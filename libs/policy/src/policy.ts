/**
 * Policy as audited data (docs/policy.md): a JSON document of a kind for a tenant, published as
 * immutable, numbered versions, each effective from an instant. Pure: kinds, the decision to
 * publish, and which version is in force at an instant. The store and the bus are the edges.
 */

/** Every kind of policy the platform keeps (the owning service registers the ones it applies). */
export const POLICY_KINDS = [
  'sla',
  'calendar',
  'approval-limits',
  'escalation-directory',
  'routing-rules',
  'department-directory',
] as const;
export type PolicyKindName = (typeof POLICY_KINDS)[number];

/** The service that keeps each kind (its store, its admin API); the others that apply it read it from the bus. */
export const POLICY_OWNERS = {
  sla: 'resolution',
  calendar: 'resolution',
  'approval-limits': 'resolution',
  'escalation-directory': 'resolution',
  'routing-rules': 'routing',
  'department-directory': 'routing',
} as const satisfies Record<PolicyKindName, string>;

export const isPolicyKind = (kind: string): kind is PolicyKindName =>
  (POLICY_KINDS as readonly string[]).includes(kind);

/** One thing wrong with a document: the field's path (dotted) and why. */
export interface PolicyProblem {
  path: string;
  reason: string;
}

/**
 * The tenant's other policies, as in force when a version is published: what a kind that refers to
 * another is checked against (routing rules name departments of the department directory; an SLA
 * document names calendars). Absent where only the document itself can be checked (a replica).
 */
export interface RelatedPolicies {
  tenant: string;
  /** The document of a kind in force for the tenant (the seed when none is published). */
  documentOf<D>(kind: PolicyKindName): D;
}

/** A kind: its one validator (as strict as the start-up checks of its files) and its seed document. */
export interface PolicyKind<D = unknown> {
  name: PolicyKindName;
  /** Problems with a document of this kind; none means it may be published. */
  validate(document: unknown, related?: RelatedPolicies): PolicyProblem[];
  /** What a tenant runs before any version is published (today's files and presets): version 0. */
  seed(tenant: string): { document: D; source: string };
}

/** What a decision names: the kind, the version (0: the seed) and the digest of its document. */
export interface PolicyRef {
  kind: PolicyKindName;
  version: number;
  digest: string;
}

/** An immutable published version (the data of a `PolicyVersionPublished` event). */
export interface PolicyVersion<D = unknown> {
  tenant: string;
  kind: PolicyKindName;
  /** 1, 2, 3… per tenant and kind; 0 is the seed, never stored. */
  version: number;
  effectiveFrom: string;
  document: D;
  author: string;
  reason: string;
  recordedAt: string;
  /** sha-256 (hex) of the document's canonical JSON. */
  digest: string;
  /** Where the seed comes from (the seed only), e.g. `limits/bank-a.json`. */
  source?: string;
}

export const refOf = (version: Pick<PolicyVersion, 'kind' | 'version' | 'digest'>): PolicyRef => ({
  kind: version.kind,
  version: version.version,
  digest: version.digest,
});

/**
 * The version in force at `at`: of those effective by then, the one with the highest number
 * (a later version supersedes one scheduled earlier). Undefined when none is: the seed applies.
 */
export function versionAt<D>(versions: readonly PolicyVersion<D>[], at: Date): PolicyVersion<D> | undefined {
  let found: PolicyVersion<D> | undefined;
  for (const v of versions) {
    if (Date.parse(v.effectiveFrom) <= at.getTime() && (!found || v.version > found.version)) found = v;
  }
  return found;
}

export interface PublishRequest {
  document: unknown;
  /** ISO 8601; absent: now. */
  effectiveFrom?: string;
  reason: string;
  author: string;
}

/** How far in the past an effectiveFrom may lie (a client's clock a little behind): no backdating. */
export const EFFECTIVE_FROM_SLACK_MS = 60_000;

/**
 * The next version of a kind for a tenant, or the problems that refuse it. `digest` is given
 * (hashing is the edge's): the same document always has the same digest.
 */
export function decidePublish(
  kind: PolicyKind,
  tenant: string,
  existing: readonly PolicyVersion[],
  request: PublishRequest,
  now: Date,
  digest: (document: unknown) => string,
  related?: RelatedPolicies,
): { problems: PolicyProblem[] } | { version: PolicyVersion } {
  const problems = kind.validate(request.document, related).map((p) => ({ ...p, path: prefix('document', p.path) }));
  if (typeof request.reason !== 'string' || request.reason.trim() === '') {
    problems.push({ path: 'reason', reason: 'a reason is required: who reads the version asks why it changed' });
  }
  let effectiveFrom = now.toISOString();
  if (request.effectiveFrom !== undefined) {
    const at = typeof request.effectiveFrom === 'string' ? Date.parse(request.effectiveFrom) : NaN;
    if (Number.isNaN(at)) {
      problems.push({ path: 'effectiveFrom', reason: 'must be an ISO 8601 date-time' });
    } else if (at < now.getTime() - EFFECTIVE_FROM_SLACK_MS) {
      problems.push({
        path: 'effectiveFrom',
        reason: `must not lie in the past (${request.effectiveFrom} < ${now.toISOString()}): decisions already taken keep their version`,
      });
    } else {
      effectiveFrom = new Date(Math.max(at, now.getTime())).toISOString();
    }
  }
  if (problems.length > 0) return { problems };
  return {
    version: {
      tenant,
      kind: kind.name,
      version: existing.reduce((max, v) => Math.max(max, v.version), 0) + 1,
      effectiveFrom,
      document: request.document,
      author: request.author,
      reason: request.reason.trim(),
      recordedAt: now.toISOString(),
      digest: digest(request.document),
    },
  };
}

const prefix = (head: string, path: string) => (path ? `${head}.${path}` : head);

/** Zod-style issues (path and message) as problems: what every kind's validator built on zod returns. */
export function problemsOf(issues: readonly { path: readonly PropertyKey[]; message: string }[]): PolicyProblem[] {
  return issues.map((issue) => ({ path: issue.path.map(String).join('.'), reason: issue.message }));
}

/** The kinds a service applies, by name. */
export class PolicyKinds {
  private readonly byName: Map<PolicyKindName, PolicyKind>;

  constructor(kinds: readonly PolicyKind[]) {
    this.byName = new Map(kinds.map((k) => [k.name, k]));
  }

  get names(): PolicyKindName[] {
    return [...this.byName.keys()];
  }

  find(name: string): PolicyKind | undefined {
    return isPolicyKind(name) ? this.byName.get(name) : undefined;
  }

  get(name: PolicyKindName): PolicyKind {
    const kind = this.byName.get(name);
    if (!kind) throw new Error(`Policy kind ${name} is not registered here`);
    return kind;
  }
}
