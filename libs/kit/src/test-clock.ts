/**
 * A clock that tests (and demos) can move, so SLA deadlines fall due without waiting days.
 * Only mounted when TEST_CLOCK=enabled; never in production.
 */
import { BadRequestException, Body, Controller, Get, Inject, Put } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CLOCK, type Clock } from './tokens';
import { Roles } from './auth/decorators';

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

@ApiTags('test')
@Roles('admin')
@Controller('test/clock')
export class TestClockController {
  constructor(@Inject(CLOCK) private readonly clock: AdjustableClock) {}

  @Get()
  read() {
    return { now: this.clock.now().toISOString() };
  }

  /** `{ "now": ISO time }` sets the time; `{ "advanceMs": n }` moves it forward. */
  @Put()
  move(@Body() body: { now?: string; advanceMs?: number }) {
    if (typeof body.advanceMs === 'number') this.clock.advance(body.advanceMs);
    else if (typeof body.now === 'string' && !Number.isNaN(Date.parse(body.now))) this.clock.set(new Date(body.now));
    else throw new BadRequestException('Give "now" (ISO 8601) or "advanceMs" (number)');
    return this.read();
  }
}
