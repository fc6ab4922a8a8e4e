/**
 * A clock that tests (and demos) can move, so SLA deadlines fall due without waiting days.
 * Only mounted when TEST_CLOCK=enabled, which `loadTestClock` refuses with NODE_ENV=production.
 *
 * One clock per platform: the embedded host hands its four services the same AdjustableClock, so
 * `PUT /test/clock` on any port moves all four; distributed services each keep their own and are
 * moved together by `deploy/local/move-test-clock.sh` (docs/operations.md). It moves time for every
 * tenant: events of all tenants share one store ordered by time, so a per-tenant clock would
 * reorder them.
 */
import { BadRequestException, Body, Controller, Get, Inject, Put } from '@nestjs/common';
import { ApiBody, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsInt, IsISO8601, IsOptional, Max, Min } from 'class-validator';
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

/** The clock a service with TEST_CLOCK=enabled reads: the one it was given (shared), else its own. */
export function testClockFor(given: Clock | undefined): AdjustableClock {
  if (given === undefined) return new AdjustableClock();
  if (given instanceof AdjustableClock) return given;
  throw new Error('TEST_CLOCK=enabled needs an AdjustableClock (or none) as the platform clock');
}

/** Ten years either way: far enough for any SLA, near enough that a typo is refused. */
const LIMIT_MS = 10 * 366 * 86_400_000;

export class MoveTestClockDto {
  @ApiPropertyOptional({
    description: 'Sets the time (ISO 8601); the clock runs on from there',
    example: '2027-01-31T09:00:00Z',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  now?: string;

  @ApiPropertyOptional({
    description: 'Moves the time by this many milliseconds (negative moves it back)',
    example: 86_400_000,
  })
  @IsOptional()
  @IsInt()
  @Min(-LIMIT_MS)
  @Max(LIMIT_MS)
  advanceMs?: number;
}

export class TestClockDto {
  @ApiProperty({
    description: 'The time every service of this platform reads now',
    example: '2027-01-31T09:00:00.000Z',
  })
  now!: string;
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
  read(): TestClockDto {
    return { now: this.clock.now().toISOString() };
  }

  @ApiEndpoint(
    'Move the test clock of the whole platform, for every tenant',
    'Give exactly one of `now` (sets the time) or `advanceMs` (moves it). In embedded mode the four services share this clock; distributed, move each service (deploy/local/move-test-clock.sh). Only with TEST_CLOCK=enabled, which a production start refuses.',
    [400],
    { type: TestClockDto },
  )
  @ApiBody({ type: MoveTestClockDto })
  @Put()
  move(@Body() body: MoveTestClockDto): TestClockDto {
    if ((body.now === undefined) === (body.advanceMs === undefined)) {
      throw new BadRequestException('Give exactly one of "now" (ISO 8601) or "advanceMs" (integer milliseconds)');
    }
    if (body.advanceMs !== undefined) this.clock.advance(body.advanceMs);
    else this.clock.set(new Date(body.now!));
    return this.read();
  }
}
