/** The steps of a complaint's journey through the running platform, shared by the e2e suites. */
import type { Role } from '@complaints/kit';
import { ALL_DEPARTMENTS, as } from './auth';
import { eventually } from './database';

export interface Urls {
  intake: string;
  resolution: string;
  analytics: string;
}

/** Each complaint from a different phone number, so duplicate and repeat-complainant links stay out of these journeys. */
export function complaintBody(description = '电表计量不准，本月电费比上月高出三倍') {
  const phone = `139${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
  return {
    channel: 'hotline',
    complainant: { name: '王女士', contact: { phone } },
    description,
    demands: ['校验电表', '退还多收电费'],
    target: { kind: 'meter', name: '电能表 3301-778' },
    occurredAt: '2026-03-01T10:00:00+08:00',
    language: 'zh',
  };
}

export async function fileComplaint(urls: Urls, description?: string, correlationId?: string) {
  const response = await fetch(`${urls.intake}/complaints`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(await as({ role: 'channel', subject: 'cti-95598' })),
      ...(correlationId ? { 'x-correlation-id': correlationId } : {}),
    },
    body: JSON.stringify(complaintBody(description)),
  });
  if (response.status !== 201) throw new Error(`intake answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as { complaintId: string; reference: string };
}

export interface HistoryEvent {
  eventId: string;
  source: string;
  type: string;
  time: string;
  actor: { id: string; role: string };
  correlationId: string;
}

export async function history(urls: Urls, complaintId: string): Promise<HistoryEvent[]> {
  const response = await fetch(`${urls.analytics}/cases/${complaintId}/history`, { headers: await as('auditor') });
  if (response.status === 404) return [];
  if (!response.ok) throw new Error(`analytics answered ${response.status}`);
  return ((await response.json()) as { events: HistoryEvent[] }).events;
}

export function historyWith(urls: Urls, complaintId: string, count: number, timeoutMs = 60_000) {
  return eventually(
    `${count} events in the history of ${complaintId}`,
    async () => {
      const events = await history(urls, complaintId);
      return events.length >= count ? events : undefined;
    },
    timeoutMs,
  );
}

export async function command(
  urls: Urls,
  caseId: string,
  path: string,
  body: unknown,
  actor: { id: string; role: Role } = { id: 'agent-7', role: 'agent' },
) {
  // Department-scoped roles (agents) are given every department, so journeys reach any case.
  const departments = ALL_DEPARTMENTS;
  return fetch(`${urls.resolution}/cases/${caseId}/${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(await as({ role: actor.role, subject: actor.id, departments })),
    },
    body: JSON.stringify(body),
  });
}
