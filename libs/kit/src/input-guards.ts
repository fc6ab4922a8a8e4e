/**
 * Guards at the HTTP edge for input that validation decorators do not see: bodies that are not
 * UTF-8, JSON nested deep enough to exhaust the stack, content types no endpoint reads, and text
 * PostgreSQL cannot store (NUL, lone UTF-16 surrogates) or nulls where a field is optional. Each
 * refusal is a 4xx that names the problem, so no such input ever reaches the database. Also
 * here: the correlation id's bounds, keys that reach prototypes, and the no-store cache rule.
 */
import type { NextFunction, Request, Response } from 'express';

/** Deeper than any body of ours; far below what would exhaust the stack in validation. */
export const MAX_JSON_DEPTH = 32;
/** What the services read: JSON, raw email for the mail gateway, multipart for web forms. */
export const ACCEPTED_CONTENT_TYPES = ['application/json', 'message/rfc822', 'multipart/form-data'];

class InputRefusal extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The deepest nesting of arrays and objects in a JSON text, strings skipped. */
export function jsonDepth(text: Buffer): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const byte = text[i];
    if (inString) {
      if (byte === 0x5c) i++;
      else if (byte === 0x22) inString = false;
    } else if (byte === 0x22) inString = true;
    else if (byte === 0x7b || byte === 0x5b) deepest = Math.max(deepest, ++depth);
    else if (byte === 0x7d || byte === 0x5d) depth--;
  }
  return deepest;
}

/** body-parser `verify` for JSON: refuses bytes that are not UTF-8 and nesting beyond the limit. */
export function verifyJsonBody(_req: unknown, _res: unknown, body: Buffer): void {
  try {
    strictUtf8.decode(body);
  } catch {
    throw new InputRefusal(400, 'The request body is not valid UTF-8');
  }
  const depth = jsonDepth(body);
  if (depth > MAX_JSON_DEPTH)
    throw new InputRefusal(
      400,
      `The request body nests JSON ${depth} levels deep; at most ${MAX_JSON_DEPTH} are allowed`,
    );
}

/** Refuses a body in a content type that no endpoint reads, instead of silently ignoring it. */
export function refuseUnreadableContentTypes(req: Request, _res: Response, next: NextFunction): void {
  const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
  if (!hasBody) return next();
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (ACCEPTED_CONTENT_TYPES.includes(type)) return next();
  next(
    new InputRefusal(
      415,
      `Content-Type ${type ? `"${type}"` : 'is missing; it'} must be one of ${ACCEPTED_CONTENT_TYPES.join(', ')} (JSON unless the endpoint says otherwise)`,
    ),
  );
}

/** At most 128 characters an HTTP header, a log line and a CSV cell carry as they are. */
const CORRELATION_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/** Whether a correlation id is one the platform carries (and may echo back). */
export const isCorrelationId = (id: unknown): id is string => typeof id === 'string' && CORRELATION_ID.test(id);

/** Refuses an X-Correlation-Id that would carry markup, control characters or bulk into logs and events. */
export function refuseBadCorrelationIds(req: Request, _res: Response, next: NextFunction): void {
  const given = req.headers['x-correlation-id'];
  if (given === undefined) return next();
  const id = Array.isArray(given) ? given : [given];
  if (id.length === 1 && CORRELATION_ID.test(id[0]!.trim())) return next();
  next(
    new InputRefusal(
      400,
      'X-Correlation-Id must be one value of 1 to 128 letters, digits and . _ : - (a UUID fits); leave it out to have one made',
    ),
  );
}

/** Personal data may be in any answer: no shared or browser cache keeps one. */
export function noStore(_req: Request, res: Response, next: NextFunction): void {
  res.setHeader('Cache-Control', 'no-store');
  next();
}

/** Keys that reach prototypes in code that merges objects: no body of ours has them. */
const POLLUTING_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Every problem of this kind in a value: the field path and what is wrong with it. */
export function unstorableText(value: unknown, path: string, allowNull = false): string[] {
  const problems: string[] = [];
  const visit = (node: unknown, at: string, depth: number) => {
    if (depth > MAX_JSON_DEPTH) {
      problems.push(`${at} nests deeper than ${MAX_JSON_DEPTH} levels`);
    } else if (typeof node === 'string') {
      if (node.includes('\u0000')) problems.push(`${at} contains a NUL character`);
      if (LONE_SURROGATE.test(node)) problems.push(`${at} contains an unpaired UTF-16 surrogate (invalid Unicode)`);
    } else if (node === null) {
      if (!allowNull) problems.push(`${at} must not be null (leave an optional field out instead)`);
    } else if (Array.isArray(node)) {
      node.forEach((item, i) => visit(item, `${at}[${i}]`, depth + 1));
    } else if (typeof node === 'object' && !Buffer.isBuffer(node)) {
      for (const [key, item] of Object.entries(node)) {
        if (key.includes('\u0000') || LONE_SURROGATE.test(key))
          problems.push(`${at || 'the body'} has a field name that is not valid text: ${JSON.stringify(key)}`);
        if (POLLUTING_KEYS.has(key)) problems.push(`${at ? `${at}.` : ''}${key} is not a field this request takes`);
        visit(item, at ? `${at}.${key}` : key, depth + 1);
      }
    }
  };
  visit(value, path, 0);
  return problems;
}
