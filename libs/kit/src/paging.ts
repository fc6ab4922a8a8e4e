/**
 * One way to page every list: `limit` and an opaque `cursor`; the answer's `next` is the cursor
 * of the following page (null on the last) and the same page is linked in an RFC 8288 `Link`
 * header (rel="next") that keeps the request's other parameters. Cursors are opaque so that what
 * they hold (today a position in the list's order) can change without breaking clients.
 */
import {
  BadRequestException,
  Injectable,
  UseInterceptors,
  applyDecorators,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { ApiQuery } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { map, type Observable } from 'rxjs';

const VERSION = 'c1';

/** A case's events: few enough that the default page holds a whole history, as before paging. */
export const HISTORY_PAGE = { max: 1000, default: 1000 };

/** The cursor of the page that starts after `position`. */
export function encodeCursor(position: string): string {
  return Buffer.from(JSON.stringify([VERSION, position])).toString('base64url');
}

/** The position a cursor of ours holds; anything else is a 400 naming the parameter. */
export function decodeCursor(cursor: string, name = 'cursor'): string {
  try {
    const decoded: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(decoded) && decoded[0] === VERSION && typeof decoded[1] === 'string') return decoded[1];
  } catch {
    // not base64url JSON: refused below
  }
  throw new BadRequestException(`${name} must be the "next" value of a previous page, as given`);
}

/** The `Link` header value to the page after this one: the same path and parameters, `cursor` replaced. */
export function nextLink(originalUrl: string, next: string): string {
  const url = new URL(originalUrl, 'http://placeholder');
  url.searchParams.set('cursor', next);
  return `<${url.pathname}${url.search}>; rel="next"`;
}

@Injectable()
class NextLinkInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    return next.handle().pipe(
      map((page: unknown) => {
        const cursor = (page as { next?: unknown } | null)?.next;
        if (typeof cursor === 'string') {
          http.getResponse<Response>().setHeader('Link', nextLink(http.getRequest<Request>().originalUrl, cursor));
        }
        return page;
      }),
    );
  }
}

/**
 * A paged list: documents `limit` and `cursor` and the `Link` header, and sets the header from
 * the answer's `next`.
 */
export function Paged(limits: { max: number; default: number }): MethodDecorator {
  return applyDecorators(
    UseInterceptors(NextLinkInterceptor),
    ApiQuery({
      name: 'limit',
      required: false,
      description: `Items per page, 1 to ${limits.max}, default ${limits.default}`,
      schema: { type: 'integer', minimum: 1, maximum: limits.max, default: limits.default },
    }),
    ApiQuery({
      name: 'cursor',
      required: false,
      description: 'The `next` of the previous page, as given (opaque); absent for the first page',
    }),
  );
}

/**
 * One page of a list the handler holds whole (a case's events, a tenant's departments): the items
 * after the cursor's key, at most `limit`, and the cursor of the rest.
 */
export function pageOf<T>(
  items: readonly T[],
  keyOf: (item: T) => string,
  query: { limit?: string; cursor?: string },
  limits: { max: number; default: number },
): { items: T[]; next: string | null } {
  const limit = query.limit === undefined ? limits.default : Number(query.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > limits.max) {
    throw new BadRequestException(`limit must be a whole number from 1 to ${limits.max}`);
  }
  let start = 0;
  if (query.cursor !== undefined) {
    const after = decodeCursor(query.cursor);
    start = items.findIndex((item) => keyOf(item) === after) + 1;
    if (start === 0) throw new BadRequestException('cursor must be the "next" value of a previous page, as given');
  }
  const page = items.slice(start, start + limit);
  return { items: page, next: start + limit < items.length ? encodeCursor(keyOf(page.at(-1)!)) : null };
}
