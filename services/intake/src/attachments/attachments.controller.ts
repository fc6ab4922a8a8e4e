/** Downloading evidence by its content address. (Who may download is decided with the security work.) */
import { Controller, Get, Inject, NotFoundException, Param, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { Database } from '@complaints/eventstore';
import { DATABASE } from '@complaints/kit';

@ApiTags('attachments')
@Controller('attachments')
export class AttachmentsController {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  @Get(':sha256')
  async download(@Param('sha256') sha256: string, @Res() response: Response): Promise<void> {
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
