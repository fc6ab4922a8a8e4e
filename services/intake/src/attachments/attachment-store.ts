/**
 * Evidence (bills, transaction records, photos, recordings) stored content-addressed by sha256,
 * outside the events: a complaint's event carries references only, so the event log stays small
 * and the same file sent twice is stored once.
 */
import { createHash } from 'node:crypto';
import { BadRequestException, PayloadTooLargeException } from '@nestjs/common';
import type { SqlClient } from '@complaints/eventstore';
import type { AttachmentRef } from '../domain/complaint';

export interface IncomingFile {
  filename: string;
  mediaType: string;
  content: Buffer;
}

export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;
export const MAX_ATTACHMENTS = 10;
export const ALLOWED_MEDIA_TYPES = new Set([
  'application/pdf',
  'image/jpeg',
  'image/png',
  'image/gif',
  'image/webp',
  'text/plain',
  'text/csv',
  'audio/mpeg',
  'audio/wav',
  'message/rfc822',
  'application/msword',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.ms-excel',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
]);

/** Refuses what may not be stored, naming the file and the rule, before anything is written. */
export function checkAttachments(files: IncomingFile[]): void {
  if (files.length > MAX_ATTACHMENTS)
    throw new BadRequestException(`At most ${MAX_ATTACHMENTS} attachments per complaint`);
  for (const file of files) {
    const mediaType = file.mediaType.split(';')[0]!.trim().toLowerCase();
    if (!ALLOWED_MEDIA_TYPES.has(mediaType)) {
      throw new BadRequestException(`Attachment "${file.filename}" has media type ${mediaType}, which is not accepted`);
    }
    if (file.content.length > MAX_ATTACHMENT_BYTES) {
      throw new PayloadTooLargeException(
        `Attachment "${file.filename}" is ${file.content.length} bytes; the limit is ${MAX_ATTACHMENT_BYTES}`,
      );
    }
  }
}

/** Stores the files once by content; each tenant that sent a file may read it back, no other. */
export async function storeAttachments(tx: SqlClient, tenant: string, files: IncomingFile[]): Promise<AttachmentRef[]> {
  checkAttachments(files);
  const refs: AttachmentRef[] = [];
  for (const file of files) {
    const sha256 = createHash('sha256').update(file.content).digest('hex');
    const mediaType = file.mediaType.split(';')[0]!.trim().toLowerCase();
    // Content is shared by whoever sent the same bytes (migrations.ts: stored as the owner).
    await tx.query('SELECT store_attachment_content($1, $2, $3, $4)', [
      sha256,
      mediaType,
      file.content.length,
      file.content,
    ]);
    await tx.query(`INSERT INTO attachment_tenants (tenant, sha256) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [
      tenant,
      sha256,
    ]);
    refs.push({ sha256, filename: file.filename, mediaType, size: file.content.length });
  }
  return refs;
}
