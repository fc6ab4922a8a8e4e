/**
 * A 95598 / 95599 style call record as the canonical complaint. The complaint reached the company
 * when the call started (the regulator counts its time limit from then), so that is its
 * `receivedAt`, however late the CTI system posts the record.
 */
import { BadRequestException } from '@nestjs/common';
import type { ComplaintDetails } from '../domain/complaint';
import type { HotlineCallDto } from './channel.dto';

/** How far ahead of ours the CTI system's clock may run. */
export const CALL_CLOCK_SKEW_MS = 5 * 60 * 1000;

const plain = <T>(dto: T): T => JSON.parse(JSON.stringify(dto)) as T;

export function hotlineToComplaint(call: HotlineCallDto, now: Date): ComplaintDetails {
  const started = new Date(call.callStartedAt);
  if (started.getTime() > now.getTime() + CALL_CLOCK_SKEW_MS) {
    const problem = `callStartedAt ${call.callStartedAt} lies in the future (now is ${now.toISOString()})`;
    throw new BadRequestException({
      statusCode: 400,
      error: 'Bad Request',
      message: problem,
      violations: [{ field: 'callStartedAt', problems: [problem] }],
    });
  }
  // Within the skew allowance the call started "now": a clock never starts in the future.
  const receivedAt = new Date(Math.min(started.getTime(), now.getTime())).toISOString();
  return {
    channel: 'hotline',
    complainant: {
      name: call.complainant?.name ?? `Caller ${call.callerNumber}`,
      ...(call.complainant?.customerId ? { customerId: call.complainant.customerId } : {}),
      contact: {
        ...plain(call.complainant?.contact ?? {}),
        phone: call.complainant?.contact?.phone ?? call.callerNumber,
      },
    },
    description: call.agentNotes,
    demands: call.demands ?? [],
    target: call.target ? plain(call.target) : { kind: 'other', name: `${call.hotline} call` },
    occurredAt: call.occurredAt ?? receivedAt,
    receivedAt,
    language: call.language ?? 'zh',
    ...(call.market ? { market: call.market } : {}),
    ...(call.area ? { area: call.area } : {}),
    channelDetails: {
      hotline: call.hotline,
      callId: call.callId,
      callerNumber: call.callerNumber,
      agentId: call.agentId,
      callStartedAt: call.callStartedAt,
      ...(call.recordingRef ? { recordingRef: call.recordingRef } : {}),
    },
  };
}
