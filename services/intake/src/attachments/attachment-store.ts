/**
 * Evidence (bills, transaction records, photos, recordings) stored content-addressed by sha256
 * within its tenant, outside the events: a complaint's event carries references only, so the event
 * log stays small and the same file sent twice to one tenant is stored once. Another tenant's
 * identical file is that tenant's own copy: no tenant's erasure touches it.
 */
import { createHash } from 'node:crypto';
import { BadRequestException, PayloadTooLargeException } from '@nestjs/common';
import type { Database, SqlClient } from '@complaints/eventstore';
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

/** Stores the files once per tenant by content; only that tenant reads them back. */
export async function storeAttachments(tx: SqlClient, tenant: string, files: IncomingFile[]): Promise<AttachmentRef[]> {
  checkAttachments(files);
  const refs: AttachmentRef[] = [];
  for (const file of files) {
    const sha256 = createHash('sha256').update(file.content).digest('hex');
    const mediaType = file.mediaType.split(';')[0]!.trim().toLowerCase();
    await tx.query(
      `INSERT INTO attachments (tenant, sha256, media_type, size, content) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (tenant, sha256) DO NOTHING`,
      [tenant, sha256, mediaType, file.content.length, file.content],
    );
    refs.push({ sha256, filename: file.filename, mediaType, size: file.content.length });
  }
  return refs;
}

/** The tenant's file with this content address, if it holds one. */
export async function readAttachment(
  db: Database,
  tenant: string,
  sha256: string,
): Promise<{ media_type: string; content: Buffer } | undefined> {
  const { rows } = await db.query<{ media_type: string; content: Buffer }>(
    'SELECT media_type, content FROM attachments WHERE tenant = $1 AND sha256 = $2',
    [tenant, sha256],
  );
  return rows[0];
}
