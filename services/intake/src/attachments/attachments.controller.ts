/**
 * Downloading evidence by its content address: staff and auditors of the tenant that sent it; an
 * agent or department head only while a case that sent it is with one of its departments
 * (evidence-scope.ts). Always a download, never rendered in the browser.
 */
import { Controller, Get, Inject, NotFoundException, Param, Res } from '@nestjs/common';
import { ApiTags, ApiOkResponse, ApiParam } from '@nestjs/swagger';
import type { Response } from 'express';
import type { Database } from '@complaints/eventstore';
import { CAN, DATABASE, Meta, Roles, departmentScope, type RequestMeta, ApiEndpoint } from '@complaints/kit';
import { readAttachment } from '../infrastructure/attachment-store';
import { isEvidenceOf } from './evidence-scope';

@ApiTags('attachments')
@Roles(...CAN.readCases)
@Controller('attachments')
export class AttachmentsController {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  @ApiEndpoint(
    'Download an attachment',
    'The attachment’s bytes by their SHA-256, as submitted, with its media type.',
    [404],
  )
  @ApiOkResponse({
    description: 'The attachment',
    content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
  })
  @ApiParam({
    name: 'sha256',
    description: 'The SHA-256 of the content, 64 lowercase hex digits',
    schema: { type: 'string', pattern: '^[0-9a-f]{64}$' },
  })
  @Get(':sha256')
  async download(@Param('sha256') sha256: string, @Meta() meta: RequestMeta, @Res() response: Response): Promise<void> {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new NotFoundException(`No attachment ${sha256}`);
    const departments = departmentScope(meta.principal, meta.actor.role);
    if (departments !== undefined && !(await isEvidenceOf(this.db, sha256, departments)))
      throw new NotFoundException(`No attachment ${sha256}`);
    const found = await readAttachment(this.db, meta.tenant, sha256);
    if (!found) throw new NotFoundException(`No attachment ${sha256}`);
    response.setHeader('Content-Type', found.media_type);
    response.setHeader('ETag', `"${sha256}"`);
    response.setHeader('Content-Disposition', `attachment; filename="${sha256}"`);
    response.send(found.content);
  }
}
