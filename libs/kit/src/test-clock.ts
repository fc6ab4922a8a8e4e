/**
 * A clock that tests (and demos) can move, so SLA deadlines fall due without waiting days.
 * Only mounted when TEST_CLOCK=enabled; never in production.
 */
import { BadRequestException, Body, Controller, Get, Inject, Put } from '@nestjs/common';
import { ApiBody, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { CLOCK, type Clock } from './tokens';
import { Roles } from './auth/decorators';
import { ApiEndpoint } from './openapi';

export class AdjustableClock implements Clock {
  private offsetMs = 0;
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
  set(now: Date): void {
    this.offsetMs = now.getTime() - Date.now();
  }
  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

export const testClockEnabled = (env: NodeJS.ProcessEnv = process.env) => env.TEST_CLOCK === 'enabled';

export class TestClockDto {
  @ApiProperty({ format: 'date-time' })
  now!: string;
}

/** Documents the body only: the handler checks it itself (one of the two, by type). */
export class MoveClockDto {
  @ApiPropertyOptional({ format: 'date-time', description: 'Set the clock to this instant' })
  now?: string;
  @ApiPropertyOptional({ description: 'Move the clock forward this many milliseconds' })
  advanceMs?: number;
}

@ApiTags('test')
@Roles('admin')
@Controller('test/clock')
export class TestClockController {
  constructor(@Inject(CLOCK) private readonly clock: AdjustableClock) {}

  @ApiEndpoint('Read the test clock', 'The service’s clock (only with TEST_CLOCK=enabled, never in production).', [], {
    type: TestClockDto,
  })
  @Get()
  read() {
    return { now: this.clock.now().toISOString() };
  }

  /** `{ "now": ISO time }` sets the time; `{ "advanceMs": n }` moves it forward. */
  @ApiEndpoint(
    'Set or advance the test clock',
    'Sets the time (`now`) or moves it forward (`advanceMs`); only with TEST_CLOCK=enabled.',
    [400],
    { type: TestClockDto },
  )
  @ApiBody({ type: MoveClockDto })
  @Put()
  move(@Body() body: { now?: string; advanceMs?: number }) {
    if (typeof body.advanceMs === 'number') this.clock.advance(body.advanceMs);
    else if (typeof body.now === 'string' && !Number.isNaN(Date.parse(body.now))) this.clock.set(new Date(body.now));
    else throw new BadRequestException('Give "now" (ISO 8601) or "advanceMs" (number)');
    return this.read();
  }
}
