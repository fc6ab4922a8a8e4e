/**
 * Downloading evidence by its content address, for staff and auditors only. The caller's role comes
 * from X-Actor-Role until authentication replaces the actor headers (security issue).
 */
import { Controller, ForbiddenException, Get, Inject, NotFoundException, Param, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { Database } from '@complaints/eventstore';
import { DATABASE, Meta, type RequestMeta } from '@complaints/kit';

export const EVIDENCE_READERS = [
  'agent',
  'team-lead',
  'department-head',
  'complaints-officer',
  'quality-inspector',
  'auditor',
];

@ApiTags('attachments')
@Controller('attachments')
export class AttachmentsController {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  @Get(':sha256')
  async download(@Param('sha256') sha256: string, @Meta() meta: RequestMeta, @Res() response: Response): Promise<void> {
    if (!EVIDENCE_READERS.includes(meta.actor.role)) {
      throw new ForbiddenException(
        `Evidence is for ${EVIDENCE_READERS.join(', ')}; the caller acts as ${meta.actor.role}`,
      );
    }
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new NotFoundException(`No attachment ${sha256}`);
    const { rows } = await this.db.query<{ media_type: string; content: Buffer }>(
      'SELECT media_type, content FROM attachments WHERE sha256 = $1',
      [sha256],
    );
    const found = rows[0];
    if (!found) throw new NotFoundException(`No attachment ${sha256}`);
    response.setHeader('Content-Type', found.media_type);
    response.setHeader('ETag', `"${sha256}"`);
    response.send(found.content);
  }
}
