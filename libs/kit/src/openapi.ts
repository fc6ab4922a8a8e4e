/**
 * The OpenAPI documents, built from the code: DTO classes and decorators on the controllers, plus
 * what the platform module applies to every route (authentication, roles, rate limits, the error
 * filter), which no controller repeats. Shared by the running service (/docs, /docs-json) and the
 * client generator (libs/client), so both describe the same contract.
 */
import { applyDecorators, type INestApplication, type Type } from '@nestjs/common';
import {
  ApiExtraModels,
  ApiHeader,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiResponse,
  DocumentBuilder,
  SwaggerModule,
  getSchemaPath,
  type OpenAPIObject,
} from '@nestjs/swagger';
import { PROBLEM_CONTENT_TYPE, PROBLEM_TYPE_BASE, PROBLEM_TYPES, type ProblemTypeName } from './errors';

export class ProblemFieldErrorDto {
  @ApiProperty({ description: 'The path of the refused field', example: 'complainant.contact.email' })
  field!: string;
  @ApiProperty({ description: 'Why it was refused', example: 'complainant.contact.email must be an email' })
  reason!: string;
}

/** RFC 9457 problem details, with the correlation id and the refused fields. */
export class ProblemDto {
  @ApiProperty({
    description: `A stable URI naming the kind of problem (${PROBLEM_TYPE_BASE}<name>, see docs/integration.md); branch on this`,
    format: 'uri',
    example: `${PROBLEM_TYPE_BASE}invalid-input`,
  })
  type!: string;
  @ApiProperty({ description: 'A short summary of the problem type', example: PROBLEM_TYPES['invalid-input'].title })
  title!: string;
  @ApiProperty({ description: 'The HTTP status code', example: 400 })
  status!: number;
  @ApiProperty({ description: 'What went wrong this time, for people', example: 'The request is invalid: ...' })
  detail!: string;
  @ApiPropertyOptional({ description: 'The path of the request that failed', example: '/complaints' })
  instance?: string;
  @ApiPropertyOptional({
    description: 'The request’s X-Correlation-Id (given or made): quote it to operators',
    example: '01938f6e-8c1a-7b2e-9f3d-2a4b5c6d7e8f',
  })
  correlationId?: string;
  @ApiPropertyOptional({ type: [ProblemFieldErrorDto], description: 'Each refused field and why (400 only)' })
  errors?: ProblemFieldErrorDto[];
}

/** What each status means on this platform, and its problem type. */
const PROBLEM_OF_STATUS: Record<number, { type: ProblemTypeName; description: string; detail: string }> = {
  400: {
    type: 'invalid-input',
    description: 'The request is invalid; `errors` names each refused field',
    detail: 'The request is invalid: property colour should not exist',
  },
  401: {
    type: 'unauthenticated',
    description: 'No valid bearer token or API key',
    detail: 'Authentication required',
  },
  403: {
    type: 'forbidden',
    description: 'The caller’s role, tenant, department or channel does not allow this',
    detail: 'This action is for supervisor, complaints-officer; the caller is agent',
  },
  404: {
    type: 'not-found',
    description: 'Nothing of that id in the caller’s tenant',
    detail: 'Case c-1 was not found',
  },
  409: {
    type: 'invalid-state',
    description: 'Not possible in the current state, or changed concurrently (retry after reading again)',
    detail: 'Cannot accept: the case is closed',
  },
  413: {
    type: 'payload-too-large',
    description: 'The body exceeds its limit',
    detail: 'Request body exceeds the 1 MB limit',
  },
  415: {
    type: 'unsupported-media-type',
    description: 'The Content-Type is not one this endpoint reads',
    detail: 'Content-Type "text/plain" must be one of application/json, multipart/form-data, message/rfc822',
  },
  422: {
    type: 'rejected',
    description: 'A business rule refuses the request',
    detail: 'The extension needs a reason the customer can read',
  },
  429: {
    type: 'rate-limited',
    description: 'Too many requests; wait as Retry-After says',
    detail: 'ThrottlerException: Too Many Requests',
  },
  503: {
    type: 'unavailable',
    description: 'The service cannot reach its database; retry with the same Idempotency-Key',
    detail: 'The service cannot reach its database; retry after 5 s',
  },
};

export type ProblemStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 503;

function problemResponse(status: number) {
  const known = PROBLEM_OF_STATUS[status]!;
  return {
    description: known.description,
    content: {
      [PROBLEM_CONTENT_TYPE]: {
        schema: { $ref: getSchemaPath(ProblemDto) },
        example: {
          type: `${PROBLEM_TYPE_BASE}${known.type}`,
          title: PROBLEM_TYPES[known.type].title,
          status,
          detail: known.detail,
          instance: '/cases/c-1/accept',
          correlationId: '01938f6e-8c1a-7b2e-9f3d-2a4b5c6d7e8f',
          ...(status === 400 ? { errors: [{ field: 'colour', reason: 'property colour should not exist' }] } : {}),
        },
      },
    },
  };
}

/** The problem+json answers an operation can give beyond those every authenticated route has (401, 403, 429, 503). */
export function ApiProblems(...statuses: ProblemStatus[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiExtraModels(ProblemDto),
    ...statuses.map((status) => ApiResponse({ status, ...problemResponse(status) })),
  );
}

/** The Idempotency-Key header of the commands that take one. */
export function ApiIdempotencyKey(): MethodDecorator & ClassDecorator {
  return ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'A retry with the same key (1-200 visible ASCII characters) returns the first result',
    schema: { type: 'string', maxLength: 200 },
  });
}

/** A report answered as JSON (the schema of `type`), or as CSV with `format=csv`. */
export function ApiFiguresResponse(description: string, type: Type<unknown>): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiExtraModels(type),
    ApiResponse({
      status: 200,
      description,
      content: {
        'application/json': { schema: { $ref: getSchemaPath(type) } },
        'text/csv': { schema: { type: 'string', description: 'The same figures as CSV (format=csv)' } },
      },
    }),
  );
}

/** Documents an operation once: its summary and description, its 2xx schema and the problems it can answer. */
export function ApiEndpoint(
  summary: string,
  description: string,
  problems: ProblemStatus[],
  ok?: { type?: Type<unknown>; status?: 200 | 201; description?: string; paged?: boolean },
): MethodDecorator {
  const headers = ok?.paged
    ? {
        Link: {
          description: 'RFC 8288: `<…?cursor=…>; rel="next"` to the following page (absent on the last)',
          schema: { type: 'string' },
        },
      }
    : undefined;
  return applyDecorators(
    ApiOperation({ summary, description }),
    ApiProblems(...problems),
    ...(ok?.type
      ? [
          ApiResponse({
            status: ok.status ?? 200,
            type: ok.type,
            description: ok.description ?? summary,
            ...(headers ? { headers } : {}),
          }),
        ]
      : []),
  );
}

const PUBLIC_PREFIXES = ['/health'];
const AUTHENTICATED_PROBLEMS: ProblemStatus[] = [401, 403, 429, 503];

/**
 * OpenAPI 3.1 has no `nullable`: JSON Schema says `type: [T, 'null']`. Some decorators (terminus'
 * @HealthCheck among them) still write the 3.0 form, which 3.1 validators refuse.
 */
function nullableAsTypes(node: unknown): void {
  if (Array.isArray(node)) return node.forEach(nullableAsTypes);
  if (typeof node !== 'object' || node === null) return;
  const schema = node as Record<string, unknown>;
  if (schema.nullable === true) {
    delete schema.nullable;
    if (typeof schema.type === 'string') schema.type = [schema.type, 'null'];
  } else if (schema.nullable === false) {
    delete schema.nullable;
  }
  Object.values(schema).forEach(nullableAsTypes);
}

/** Builds a service's document: OpenAPI 3.1, both security schemes, and what every route shares. */
export function buildOpenApiDocument(app: INestApplication, title: string, server?: string): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setOpenAPIVersion('3.1.0')
    .setTitle(title)
    .setDescription(
      `${title} of the complaint-handling platform. Errors are RFC 9457 problem details (application/problem+json); see docs/integration.md for the problem types.`,
    )
    .setVersion('1')
    .setLicense('Apache-2.0', 'https://www.apache.org/licenses/LICENSE-2.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'An OIDC or platform JWT' })
    .addApiKey(
      { type: 'apiKey', in: 'header', name: 'X-Api-Key', description: 'A channel adapter’s key (npm run api-key)' },
      'api-key',
    )
    .addSecurityRequirements('bearer')
    .addSecurityRequirements('api-key');
  if (server) builder.addServer(server);
  const document = SwaggerModule.createDocument(app, builder.build(), { extraModels: [ProblemDto] });
  nullableAsTypes(document);
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of ['get', 'put', 'post', 'delete', 'patch'] as const) {
      const operation = item[method];
      if (!operation) continue;
      if (PUBLIC_PREFIXES.some((prefix) => path.startsWith(prefix))) {
        operation.security = []; // @Public(): probes carry no credentials
        continue;
      }
      // The platform module's guards (authentication, roles, rate limit) and the database stand
      // behind every other route, so every one can answer these.
      for (const status of AUTHENTICATED_PROBLEMS) operation.responses[status] ??= problemResponse(status);
    }
  }
  return document;
}
