/**
 * An email complaint, as the mail gateway received it (RFC 5322 / MIME), turned into the
 * canonical complaint: sender, subject and body, attachments as evidence, Message-ID kept.
 */
import { createHash } from 'node:crypto';
import { BadRequestException } from '@nestjs/common';
import type { IncomingFile } from '../infrastructure/attachment-store';
import type { ComplaintDetails } from '../domain/complaint';

const CJK = /[\u3400-\u9fff]/;

/**
 * The limits of the JSON channels (complaint.dto.ts), applied to the parts of a message
 * they come from: the sender's display name is the complainant's name, the Subject names the
 * complaint's target, and Subject and body together are its description.
 */
export const EMAIL_LIMITS = { displayName: 200, subject: 300, description: 20_000 } as const;

function checkSizes(displayName: string, subject: string, description: string): void {
  const over = (what: string, length: number, limit: number, field: string) =>
    new BadRequestException(
      `${what} is ${length} characters; the limit is ${limit}, the limit of ${field} on every channel`,
    );
  if (displayName.length > EMAIL_LIMITS.displayName)
    throw over("The sender's display name (From)", displayName.length, EMAIL_LIMITS.displayName, 'complainant.name');
  if (subject.length > EMAIL_LIMITS.subject)
    throw over('The Subject', subject.length, EMAIL_LIMITS.subject, 'target.name');
  if (description.length > EMAIL_LIMITS.description)
    throw over('The message body with its Subject', description.length, EMAIL_LIMITS.description, 'description');
}

/** mailparser and its encodings take ~19 MB once loaded: loaded with the first email, not by every intake. */
let mailparser: Promise<typeof import('mailparser')> | undefined;
const loadMailparser = () => (mailparser ??= import('mailparser'));

function textOf(mail: { text?: string; html?: string | false }): string {
  if (mail.text?.trim()) return mail.text.trim();
  if (typeof mail.html === 'string')
    return mail.html
      .replace(/<[^>]+>/g, ' ')
      .replace(/\s+/g, ' ')
      .trim();
  return '';
}

export async function emailToComplaint(
  raw: Buffer,
  now: Date,
): Promise<{ details: ComplaintDetails; messageId: string; files: IncomingFile[] }> {
  const { simpleParser } = await loadMailparser();
  let mail;
  try {
    mail = await simpleParser(raw);
  } catch (error) {
    throw new BadRequestException(`The message could not be parsed as MIME: ${(error as Error).message}`);
  }
  const sender = mail.from?.value[0];
  if (!sender?.address) throw new BadRequestException('The message has no From address: nobody to reply to');
  const body = textOf(mail);
  const subject = mail.subject?.trim() ?? '';
  const description = [subject, body].filter(Boolean).join('\n\n');
  if (!description) throw new BadRequestException('The message has neither a subject nor a body');
  checkSizes(sender.name ?? '', subject, description);
  const messageId = mail.messageId ?? `sha256:${createHash('sha256').update(raw).digest('hex')}`;
  const sentAt = mail.date && mail.date.getTime() <= now.getTime() ? mail.date : now;
  return {
    messageId,
    details: {
      channel: 'email',
      complainant: { name: sender.name || sender.address, contact: { email: sender.address } },
      description,
      demands: [],
      // The subject line is the complainant's words: sealed in the description and channel details,
      // never copied into the target, which stays plain for routing and the regulatory returns.
      target: { kind: 'other', name: 'email complaint' },
      occurredAt: sentAt.toISOString(),
      language: CJK.test(description) ? 'zh' : 'en',
      channelDetails: { messageId, from: sender.address, ...(subject ? { subject } : {}) },
    },
    files: mail.attachments.map((a) => ({
      filename: a.filename ?? 'attachment',
      mediaType: a.contentType,
      content: a.content,
    })),
  };
}
