/**
 * Verify for analytics: the history it serves to auditors, checked entry by entry against the
 * services the entries came from. Each source verifies its own chain for the case and says what its
 * relay publishes for each of its events (a digest of the integration event's content); an entry
 * whose content, or whose carried source hash, differs from that is named. Analytics' own database
 * holds nothing the check trusts.
 */
import { Inject, Injectable } from '@nestjs/common';
import type { Database, Finding } from '@complaints/eventstore';
import { DATABASE, SERVICE_CONFIG, SERVICES, type CaseEvidenceCheck, type EventEvidence } from '@complaints/kit';
import type { RequestMeta, ServiceConfig, ServiceName } from '@complaints/kit';
import { contentDigest } from '@complaints/messaging';
import { readHistory, type HistoryEntry } from '../case-timeline/case-history.query';

interface SourceVerdict {
  verified: boolean;
  findings: Finding[];
  events: EventEvidence[];
}

const serviceOf = (source: string) => SERVICES.find((s) => source === `/complaints/${s}`);

@Injectable()
export class HistoryEvidence implements CaseEvidenceCheck {
  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
  ) {}

  async check(caseId: string, meta: RequestMeta, authorization: string | undefined): Promise<Finding[] | undefined> {
    const entries = await readHistory(this.db, meta.tenant, caseId);
    if (entries.length === 0) return undefined;
    const bySource = new Map<string, HistoryEntry[]>();
    for (const entry of entries) bySource.set(entry.source, [...(bySource.get(entry.source) ?? []), entry]);
    const findings: Finding[] = [];
    for (const [source, served] of bySource) {
      const service = serviceOf(source);
      const verdict = service ? await this.askSource(service, caseId, authorization) : undefined;
      if (typeof verdict === 'string' || verdict === undefined) {
        findings.push(...served.map((e) => unconfirmed(e, verdict ?? `${source} is not a known source`)));
        continue;
      }
      // The source's own findings first: evidence from a chain that does not verify proves nothing.
      findings.push(...verdict.findings.map((f) => ({ ...f, detail: `${service}: ${f.detail}` })));
      findings.push(...served.flatMap((entry) => compare(entry, caseId, verdict.events)));
      findings.push(...missing(served, verdict.events));
    }
    return findings;
  }

  /** The source's verify of the case, asked with the auditor's own token; a string says why it gave none. */
  private async askSource(
    service: ServiceName,
    caseId: string,
    authorization: string | undefined,
  ): Promise<SourceVerdict | string> {
    try {
      const response = await fetch(`${this.config.audit.sourceUrls[service]}/audit/cases/${caseId}/verify`, {
        headers: authorization ? { authorization } : {},
        signal: AbortSignal.timeout(30_000),
      });
      if (!response.ok) return `${service}'s verify answered ${response.status}`;
      return (await response.json()) as SourceVerdict;
    } catch (error) {
      return `${service}'s verify did not answer (${(error as Error).message})`;
    }
  }
}

function unconfirmed(entry: HistoryEntry, why: string): Finding {
  return {
    kind: 'altered',
    eventId: entry.eventId,
    detail: `history entry ${entry.eventId} (${entry.type}) is unconfirmed: ${why}`,
  };
}

function compare(entry: HistoryEntry, caseId: string, events: EventEvidence[]): Finding[] {
  const name = `history entry ${entry.eventId} (${entry.type})`;
  const source = events.find((e) => e.eventId === entry.eventId);
  if (!source) {
    return [{ kind: 'inserted', eventId: entry.eventId, detail: `${name} has no event behind it in ${entry.source}` }];
  }
  const where = { eventId: entry.eventId, streamId: source.streamId, streamVersion: source.streamVersion };
  if (entry.evidence && (entry.evidence.eventHash !== source.hash || entry.evidence.streamId !== source.streamId)) {
    return [
      {
        kind: 'altered',
        ...where,
        detail: `${name} carries evidence of another event than ${source.streamId} v${source.streamVersion}`,
      },
    ];
  }
  const digest = contentDigest({ ...entry, id: entry.eventId, subject: caseId });
  if (!source.integration.some((i) => i.type === entry.type && i.digest === digest)) {
    return [
      {
        kind: 'altered',
        ...where,
        detail: `${name} differs from what ${source.streamId} v${source.streamVersion} published`,
      },
    ];
  }
  return [];
}

/**
 * Source events the history lacks although it serves later events of the same stream: the bus
 * delivers a case's events in order, so such a gap was made, not awaited. (The latest entries
 * removed look like entries not delivered yet, and are not named.)
 */
function missing(served: HistoryEntry[], events: EventEvidence[]): Finding[] {
  const servedIds = new Set(served.map((e) => e.eventId));
  const latest = new Map<string, number>();
  for (const source of events.filter((e) => servedIds.has(e.eventId))) {
    latest.set(source.streamId, Math.max(latest.get(source.streamId) ?? 0, source.streamVersion));
  }
  return events
    .filter((e) => e.integration.length > 0 && !servedIds.has(e.eventId))
    .filter((e) => e.streamVersion < (latest.get(e.streamId) ?? 0))
    .map((e) => ({
      kind: 'removed' as const,
      eventId: e.eventId,
      streamId: e.streamId,
      streamVersion: e.streamVersion,
      detail: `the history lacks ${e.integration.map((i) => i.type).join(', ')} of ${e.streamId} v${e.streamVersion} (event ${e.eventId}) but serves later events of the stream`,
    }));
}
