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

/**
 * What the content of each declared type must sniff as (file-type, by its magic numbers). The
 * Office formats are containers: an older document sniffs as a compound file, a newer one as its
 * own type or, when file-type cannot tell which Office file the archive is, as zip.
 */
const SNIFFED_AS: Record<string, string[]> = {
  'application/pdf': ['application/pdf'],
  'image/jpeg': ['image/jpeg'],
  'image/png': ['image/png'],
  'image/gif': ['image/gif'],
  'image/webp': ['image/webp'],
  'audio/mpeg': ['audio/mpeg'],
  'audio/wav': ['audio/wav', 'audio/vnd.wave', 'audio/x-wav'],
  'application/msword': ['application/x-cfb', 'application/msword'],
  'application/vnd.ms-excel': ['application/x-cfb', 'application/vnd.ms-excel'],
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': [
    'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    'application/zip',
  ],
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': [
    'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    'application/zip',
  ],
};

/**
 * Text has no magic number. Declared text (text/plain, text/csv, message/rfc822) must be what
 * file-type finds no binary format in, and hold no control bytes but tab, line breaks, form feed
 * and escape (ISO-2022 encodings): any 8-bit charset passes (GBK, UTF-8), an executable does not.
 */
const TEXT_CONTROLS = new Set([0x09, 0x0a, 0x0c, 0x0d, 0x1b]);
const holdsControlBytes = (content: Buffer) =>
  content.some((byte) => (byte < 0x20 && !TEXT_CONTROLS.has(byte)) || byte === 0x7f);

/** file-type is an ES module: loaded with the first attachment, not by every intake. */
let fileType: Promise<typeof import('file-type/core')> | undefined;
const loadFileType = () => (fileType ??= import('file-type/core'));

async function checkContent(file: IncomingFile, mediaType: string): Promise<void> {
  const { fileTypeFromBuffer } = await loadFileType();
  const sniffed = await fileTypeFromBuffer(file.content);
  const expected = SNIFFED_AS[mediaType];
  if (expected) {
    if (!sniffed || !expected.includes(sniffed.mime))
      throw new BadRequestException(
        `Attachment "${file.filename}" is declared ${mediaType}, but its content is ${sniffed ? `${sniffed.mime} (.${sniffed.ext})` : 'not recognisably that type'}`,
      );
    return;
  }
  if (sniffed || holdsControlBytes(file.content))
    throw new BadRequestException(
      `Attachment "${file.filename}" is declared ${mediaType}, but holds binary content${sniffed ? ` (${sniffed.mime}, .${sniffed.ext})` : ' (control bytes)'}, not text`,
    );
}

/** Refuses what may not be stored, naming the file and the rule, before anything is written. */
export async function checkAttachments(files: IncomingFile[]): Promise<void> {
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
    await checkContent(file, mediaType);
  }
}

/** Stores the files once per tenant by content; only that tenant reads them back. */
export async function storeAttachments(tx: SqlClient, tenant: string, files: IncomingFile[]): Promise<AttachmentRef[]> {
  await checkAttachments(files);
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
