/**
 * The SLA health detail: calendar years deadlines fell in that the calendar data lacks (CN before
 * the State Council's notice for the year is out), so an operator sees that those deadlines were
 * counted without the year's holiday blocks and make-up working days. A warning, not a failure:
 * readiness stays up. Public like the other health endpoints.
 */
import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { ApiEndpoint, Public } from '@complaints/kit';
import { SlaSettings } from './sla-settings';
import { SlaHealthDto } from '../responses.dto';

@ApiTags('health')
@Public()
@SkipThrottle()
@Controller('health')
export class SlaHealthController {
  constructor(private readonly sla: SlaSettings) {}

  @ApiEndpoint(
    'SLA calendar health',
    '`warning` with each calendar year a deadline fell in that the calendar data lacks; `ok` otherwise. No credentials.',
    [],
    { type: SlaHealthDto },
  )
  @Get('sla')
  calendars(): SlaHealthDto {
    const missingCalendarYears = this.sla.calendarWarnings();
    return { status: missingCalendarYears.length ? 'warning' : 'ok', missingCalendarYears };
  }
}
