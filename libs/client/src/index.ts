/**
 * @complaints/client: one typed client per service (openapi-fetch over the types generated from
 * the services' OpenAPI documents at build time). `data` is the operation's documented 2xx body,
 * `error` its RFC 9457 problem; nothing is hand-written, so the client cannot drift from the code.
 */
import createClient, { type ClientOptions } from 'openapi-fetch';
import type { components as IntakeSchemas, paths as IntakePaths } from './generated/intake';
import type { components as RoutingSchemas, paths as RoutingPaths } from './generated/routing';
import type { components as ResolutionSchemas, paths as ResolutionPaths } from './generated/resolution';
import type { components as AnalyticsSchemas, paths as AnalyticsPaths } from './generated/analytics';

export type { IntakePaths, RoutingPaths, ResolutionPaths, AnalyticsPaths };
export type IntakeSchema<N extends keyof IntakeSchemas['schemas']> = IntakeSchemas['schemas'][N];
export type RoutingSchema<N extends keyof RoutingSchemas['schemas']> = RoutingSchemas['schemas'][N];
export type ResolutionSchema<N extends keyof ResolutionSchemas['schemas']> = ResolutionSchemas['schemas'][N];
export type AnalyticsSchema<N extends keyof AnalyticsSchemas['schemas']> = AnalyticsSchemas['schemas'][N];
/** An error answer of any service (application/problem+json). */
export type Problem = IntakeSchemas['schemas']['ProblemDto'];

/** `baseUrl` is the service's address; pass `headers: { Authorization: 'Bearer …' }` or `{ 'X-Api-Key': … }`. */
export const intakeClient = (options: ClientOptions) => createClient<IntakePaths>(options);
export const routingClient = (options: ClientOptions) => createClient<RoutingPaths>(options);
export const resolutionClient = (options: ClientOptions) => createClient<ResolutionPaths>(options);
/** JSON answers and problems: a figure also served as CSV (`format=csv`) is typed as its JSON here. */
type Json = `${string}/${string}json`;
export const analyticsClient = (options: ClientOptions) => createClient<AnalyticsPaths, Json>(options);
