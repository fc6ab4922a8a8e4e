/**
 * Hostile HTTP requests, generated with fast-check from the OpenAPI document each service serves:
 * every operation the services expose is fuzzed, so a new endpoint is covered without editing the
 * test. Each request carries what a correct answer must look like (a 4xx naming the problem).
 */
import fc from 'fast-check';

export interface Operation {
  service: string;
  base: string;
  method: string;
  /** OpenAPI path template, e.g. /cases/{id}/acknowledge */
  path: string;
  pathParams: { name: string; schema: Schema }[];
  queryParams: { name: string; schema: Schema }[];
  body?: Schema;
}

export interface Schema {
  type?: string;
  enum?: unknown[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  example?: unknown;
  maxLength?: number;
  $ref?: string;
  allOf?: Schema[];
}

interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components?: { schemas?: Record<string, Schema> };
}

interface OpenApiOperation {
  parameters?: { name: string; in: string; schema?: Schema }[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

/** Every operation of a service's OpenAPI document, with $refs resolved. */
export function operationsOf(service: string, base: string, document: OpenApiDocument): Operation[] {
  const schemas = document.components?.schemas ?? {};
  const resolve = (schema: Schema | undefined, depth = 0): Schema | undefined => {
    if (!schema || depth > 8) return schema;
    if (schema.$ref) return resolve(schemas[schema.$ref.split('/').pop()!], depth + 1);
    if (schema.allOf?.length === 1) return resolve(schema.allOf[0], depth + 1);
    return {
      ...schema,
      ...(schema.properties
        ? {
            properties: Object.fromEntries(
              Object.entries(schema.properties).map(([k, v]) => [k, resolve(v, depth + 1) ?? {}]),
            ),
          }
        : {}),
      ...(schema.items ? { items: resolve(schema.items, depth + 1) } : {}),
    };
  };
  return Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => METHODS.includes(method))
      .map(([method, operation]) => {
        const parameters = operation.parameters ?? [];
        const pick = (where: string) =>
          parameters.filter((p) => p.in === where).map((p) => ({ name: p.name, schema: resolve(p.schema) ?? {} }));
        const content = operation.requestBody?.content ?? {};
        const json = content['application/json']?.schema;
        return {
          service,
          base,
          method: method.toUpperCase(),
          path,
          pathParams: pick('path'),
          queryParams: pick('query'),
          ...(json ? { body: resolve(json) } : {}),
        };
      }),
  );
}

/** A plausible valid instance of a schema; the fuzzer then breaks it in one place. */
export function exampleOf(schema: Schema | undefined): unknown {
  if (!schema) return {};
  if (schema.example !== undefined) return schema.example;
  if (schema.enum?.length) return schema.enum[0];
  switch (schema.type) {
    case 'string':
      return 'text';
    case 'number':
    case 'integer':
      return 1;
    case 'boolean':
      return true;
    case 'array':
      return [exampleOf(schema.items)];
    default:
      return Object.fromEntries(Object.entries(schema.properties ?? {}).map(([k, v]) => [k, exampleOf(v)]));
  }
}

/** Strings that have broken other systems: injection, markup, templates, paths, odd Unicode. */
export const NASTY_STRINGS = [
  "' OR '1'='1",
  "'; DROP TABLE events; --",
  '1; SELECT pg_sleep(5)',
  '" OR ""="',
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  'javascript:alert(1)',
  '${7*7}',
  '{{7*7}}',
  '../../../../etc/passwd',
  '%00',
  '%',
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udfffy',
  '\uffff\ufffe',
  '\u202e\u200b\ufeff',
  '𝕳𝖊𝖑𝖑𝖔 😀 👩‍👩‍👧‍👦',
  '\r\n\r\nX-Injected: 1',
  'null',
  'undefined',
  'NaN',
  '-1',
  '1e309',
  '-9223372036854775809',
  '99999999999999999999999999',
  '0x7fffffff',
  '',
  ' ',
  '__proto__',
  'constructor',
  '$where',
  '2026-02-30T25:61:00Z',
  '+275760-09-13T00:00:01Z',
  '-271821-04-20T00:00:00Z',
  '0000-00-00',
];

const nasty = fc.constantFrom(...NASTY_STRINGS);
/** Any UTF-16 code units, lone surrogates and NUL included. */
const rawText = fc.string({
  unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
  maxLength: 40,
});
const hugeText = fc
  .tuple(fc.integer({ min: 5_000, max: 100_000 }), fc.constantFrom('x', '界', '😀', '\u0000'))
  .map(([n, c]) => c.repeat(n));
const hostileNumber = fc.oneof(
  fc.constantFrom(-1, -0, 0, 2 ** 31, 2 ** 53 + 1, -(2 ** 63), 1e308, -1e308, 5e-324, 1.5),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

/** A value of any JSON type: what a field holds when a client gets it wrong. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: nasty },
  { weight: 2, arbitrary: rawText },
  { weight: 1, arbitrary: hugeText },
  { weight: 3, arbitrary: hostileNumber },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
  { weight: 1, arbitrary: fc.integer({ min: 50, max: 3000 }).map((depth) => deepArray(depth)) },
);

function depthOf(value: unknown): number {
  let depth = 0;
  for (let node = value; node !== null && typeof node === 'object'; depth++) node = Object.values(node)[0];
  return depth;
}

function deepArray(depth: number): unknown {
  let value: unknown = [];
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

export interface HostileRequest {
  operation: Operation;
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** What was broken, for the failure report. */
  defect: string;
  /** A body field the 400 must name, when the defect is in one field. */
  field?: string;
}

type BodyDefect = { body: Buffer; contentType?: string; defect: string; field?: string };

const json = (value: unknown) => Buffer.from(JSON.stringify(value));

/** Every field path of a schema, with whether the field is required. */
function fieldPaths(schema: Schema, prefix: string[] = []): { path: string[]; required: boolean }[] {
  return Object.entries(schema.properties ?? {}).flatMap(([key, child]) => [
    { path: [...prefix, key], required: schema.required?.includes(key) ?? false },
    ...(child.type === 'array' ? [] : fieldPaths(child, [...prefix, key])),
  ]);
}

function setAt(target: unknown, path: string[], value: unknown): unknown {
  const copy = structuredClone(target) as Record<string, unknown>;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string, unknown>;
  if (value === REMOVE) delete node[path.at(-1)!];
  else node[path.at(-1)!] = value;
  return copy;
}
const REMOVE = Symbol('remove');

/** A body built from the operation's schema, broken in one named field. */
function brokenField(schema: Schema): fc.Arbitrary<BodyDefect> {
  const template = exampleOf(schema);
  const fields = fieldPaths(schema);
  if (fields.length === 0) return fc.constant({ body: json([]), defect: 'an array instead of an object' });
  const required = fields.filter((f) => f.required);
  return fc
    .record({
      field: fc.constantFrom(...fields),
      kind: fc.constantFrom(
        ...(required.length ? ['missing'] : []),
        'wrong value',
        'extra field',
        'text no database stores',
        'number out of range',
      ),
      requiredField: required.length ? fc.constantFrom(...required) : fc.constant(undefined),
      value: hostileValue,
      extraName: fc.oneof(nasty, fc.string({ minLength: 1, maxLength: 12 })),
    })
    .map(({ field: { path }, kind, value, extraName, requiredField }) => {
      const field = path.join('.');
      switch (kind) {
        case 'missing': {
          const missing = requiredField!.path;
          return {
            body: json(setAt(template, missing, REMOVE)),
            defect: `${missing.join('.')} missing`,
            field: missing.at(-1),
          };
        }
        case 'extra field': {
          const name = extraName.trim() === '' ? 'unexpected' : `zz${extraName}`;
          return {
            body: json(setAt(template, [...path.slice(0, -1), name], value)),
            defect: `unknown field ${JSON.stringify(name)}`,
            ...(depthOf(value) < 30 ? { field: name } : {}),
          };
        }
        case 'text no database stores':
          return {
            body: json(setAt(template, path, `before\u0000after\ud800`)),
            defect: `${field} holds NUL and a lone surrogate`,
            field: path.at(-1),
          };
        case 'number out of range': {
          const number = [-1, -1e308, 1e308, 2 ** 53 + 1, 1.5, 0][Math.abs(extraName.length) % 6]!;
          return { body: json(setAt(template, path, number)), defect: `${field} = ${number}`, field: path.at(-1) };
        }
        default: {
          // The hostile value replaces a valid one; a value the schema happens to accept proves nothing.
          const original = path.reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], template);
          const sameShape =
            typeof value === typeof original && Array.isArray(value) === Array.isArray(original) && value !== null;
          const broken = sameShape ? [value] : value;
          return {
            body: json(setAt(template, path, broken)),
            defect: `${field} = ${preview(broken)}`,
            // Nesting beyond the limit is refused as a whole, before any field is looked at.
            ...(depthOf(broken) + path.length < 30 ? { field: path.at(-1) } : {}),
          };
        }
      }
    });
}

const preview = (value: unknown) => {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 80)}… (${text.length} chars)` : text;
};

/** Bodies wrong as a whole: not JSON, not UTF-8, too deep, too big, or sent as something else. */
function brokenBody(schema: Schema | undefined): fc.Arbitrary<BodyDefect> {
  const valid = json(exampleOf(schema));
  return fc.oneof(
    fc.jsonValue({ maxDepth: 3 }).map((value) => ({ body: json(value), defect: `arbitrary JSON ${preview(value)}` })),
    fc
      .constantFrom('{"a":', '{a:1}', "{'a':1}", '[1,2', '{"a":1}}', 'nul', '\ufeff{}', '{"a":1,}', '"\\ud800"')
      .map((text) => ({ body: Buffer.from(text), defect: `malformed JSON ${JSON.stringify(text)}` })),
    fc.integer({ min: 1, max: valid.length - 1 }).map((at) => ({
      body: Buffer.concat([
        valid.subarray(0, at),
        Buffer.from([0xff, 0xc3, 0x28, 0xed, 0xa0, 0x80]),
        valid.subarray(at),
      ]),
      defect: 'invalid UTF-8 bytes',
    })),
    fc.tuple(fc.integer({ min: 200, max: 200_000 }), fc.boolean()).map(([depth, objects]) => ({
      body: Buffer.from(
        objects ? `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}` : `${'['.repeat(depth)}${']'.repeat(depth)}`,
      ),
      defect: `JSON nested ${depth} deep`,
    })),
    fc
      .constantFrom(
        'text/plain',
        'application/xml',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=nothing',
        'application/json; charset=latin1',
        'image/png',
        'message/rfc822',
        '',
      )
      .map((contentType) => ({ body: valid, contentType, defect: `sent as ${JSON.stringify(contentType)}` })),
  );
}

const oversized = fc.constant<BodyDefect>({
  body: Buffer.from(JSON.stringify({ description: 'x'.repeat(1_100_000) })),
  defect: 'a body over 1 MB',
});

/** A path parameter: well-formed (an unknown or a real id, an allowed value) or hostile. */
const pathValue = (name: string, schema: Schema, realIds: string[]) => {
  const wellFormed = fc.oneof(
    fc.uuid(),
    ...(realIds.length ? [fc.constantFrom(...realIds)] : []),
    ...(schema.enum?.length ? [fc.constantFrom(...schema.enum.map(String))] : []),
  );
  const hostile = fc.oneof(
    { weight: 3, arbitrary: nasty.filter((s) => s !== '') },
    ...(schema.type === 'number' || schema.type === 'integer'
      ? [{ weight: 3, arbitrary: hostileNumber.map(String) }]
      : []),
    { weight: 1, arbitrary: rawText.filter((s) => s !== '') },
    { weight: 1, arbitrary: fc.constant(`${name}-${'z'.repeat(5000)}`) },
  );
  return fc.oneof(
    { weight: 2, arbitrary: wellFormed.map((value) => ({ value, hostile: false })) },
    { weight: 1, arbitrary: hostile.map((value) => ({ value, hostile: true })) },
  );
};

function queryString(params: Operation['queryParams']): fc.Arbitrary<string> {
  const names = [...params.map((p) => p.name), 'zzUnknown', 'limit', 'after'];
  return fc
    .array(
      fc.tuple(
        fc.constantFrom(...names),
        fc.oneof(
          nasty,
          rawText,
          hostileNumber.map(String),
          fc.constantFrom('[]', '[x]', '[$gt]'),
          ...params.filter((p) => p.schema.enum?.length).map((p) => fc.constantFrom(...p.schema.enum!.map(String))),
        ),
      ),
      { maxLength: 5 },
    )
    .map((pairs) =>
      pairs
        .map(([name, value]) =>
          value.startsWith('[') ? `${name}${value}=1` : `${name}=${encodeURIComponent(toWellFormed(value))}`,
        )
        .join('&'),
    );
}

/** encodeURIComponent refuses lone surrogates; send them as the raw bytes a client might. */
const toWellFormed = (value: string) => value.replace(/[\ud800-\udfff]/g, '\ufffd');

const encodePath = (value: string) => {
  try {
    return encodeURIComponent(value);
  } catch {
    return encodeURIComponent(toWellFormed(value));
  }
};

const HEADERS = fc
  .record(
    {
      'x-actor-id': fc.oneof(nasty, fc.constant('a'.repeat(4000))).map((v) => v.replace(/[^\x20-\x7e]/g, '?')),
      'x-actor-role': fc.constantFrom('agent', 'supervisor', 'auditor', 'system', '; drop', 'x'.repeat(300)),
      'x-tenant-id': fc
        .constantFrom('default', "bank'a", '../other', 'ü'.repeat(3))
        .map((v) => v.replace(/[^\x20-\x7e]/g, '?')),
      'idempotency-key': fc.constantFrom('k', ' ', 'x'.repeat(1000), 'ключ'.replace(/[^\x20-\x7e]/g, '?')),
    },
    { requiredKeys: [] },
  )
  .chain((headers) =>
    // One request in ten brings its own broken credentials (the rest are sent with a good token).
    fc
      .oneof(
        { weight: 9, arbitrary: fc.constant(undefined) },
        {
          weight: 1,
          arbitrary: fc.constantFrom(
            'Bearer x',
            'Basic YWRtaW46YWRtaW4=',
            `Bearer ${'a'.repeat(5000)}`,
            'Bearer a.b.c',
          ),
        },
      )
      .map((authorization) => (authorization ? { ...headers, authorization } : headers)),
  );

/** One hostile request against one operation. */
export function hostileRequest(operation: Operation, realIds: string[]): fc.Arbitrary<HostileRequest> {
  const sendsBody = operation.method !== 'GET' && operation.method !== 'DELETE';
  const bodyDefect: fc.Arbitrary<BodyDefect | undefined> = !sendsBody
    ? fc.constant(undefined)
    : fc.oneof(
        { weight: 12, arbitrary: operation.body ? brokenField(operation.body) : brokenBody(undefined) },
        { weight: 6, arbitrary: brokenBody(operation.body) },
        { weight: 1, arbitrary: oversized },
      );
  return fc
    .record({
      params: fc.tuple(...operation.pathParams.map((p) => pathValue(p.name, p.schema, realIds))),
      query: queryString(operation.queryParams),
      body: bodyDefect,
      headers: HEADERS,
    })
    .map(({ params, query, body, headers }) => {
      let path = operation.path;
      operation.pathParams.forEach((p, i) => (path = path.replace(`{${p.name}}`, encodePath(params[i]!.value))));
      // With a hostile path the refusal may name the path instead of the broken body field.
      const field = params.some((p) => p.hostile) ? undefined : body?.field;
      const contentType = body?.contentType ?? 'application/json';
      return {
        operation,
        method: operation.method,
        url: `${operation.base}${path}${query ? `?${query}` : ''}`,
        headers: { ...headers, ...(body && contentType ? { 'content-type': contentType } : {}) },
        ...(body ? { body: body.body } : {}),
        defect: [
          ...(body ? [body.defect] : []),
          ...params.filter((p) => p.hostile).map((p) => `path ${preview(p.value)}`),
          ...(query ? [`query ${preview(query)}`] : []),
        ].join('; '),
        ...(field ? { field } : {}),
      };
    });
}
