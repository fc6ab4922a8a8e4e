/** A service's policy versions over REST (docs/policy.md): admins publish, auditors and admins read. */
import {
  Body,
  Controller,
  Get,
  HttpCode,
  NotFoundException,
  Param,
  ParseIntPipe,
  Post,
  UnprocessableEntityException,
  type Type,
} from '@nestjs/common';
import { ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiEndpoint, Meta, Roles, type RequestMeta } from '@complaints/kit';
import { POLICY_OWNERS, type PolicyKindName, type PolicyVersion } from '../policy';
import { PolicyRejected } from '../policy-store';
import { PolicyOverviewDto, PolicyVersionDto, PublishPolicyVersionDto } from './policies.dto';
import { ServicePolicies } from './service-policies';

const summary = ({ document: _document, tenant: _tenant, ...rest }: PolicyVersion) => rest;

/**
 * The admin API of a service's policies: `GET /policies/{kind}` and `/versions/{n}` for every kind it
 * applies (a replicated kind shows this service's copy), `POST /policies/{kind}/versions` for the
 * kinds it keeps. `kinds` names them for the OpenAPI document (the module's kept and replicated kinds).
 */
export function policiesController(service: string, kinds: readonly PolicyKindName[]): Type<unknown> {
  const KindParam = () => ApiParam({ name: 'kind', enum: kinds, description: `The policy kinds ${service} applies` });

  @ApiTags('policies')
  @Roles('admin', 'auditor')
  @Controller('policies/:kind')
  class PoliciesController {
    constructor(readonly policies: ServicePolicies) {}

    kind(name: string): PolicyKindName {
      const kind = this.policies.applies(name);
      if (!kind) {
        throw new NotFoundException(
          `Policy kind ${name} is not applied by ${service} (its kinds: ${kinds.join(', ')})`,
        );
      }
      return kind;
    }

    @ApiEndpoint(
      'The policy in force, and its versions',
      'The version in force now and every version (the seed, version 0, first; future ones included).',
      [404],
      { type: PolicyOverviewDto },
    )
    @KindParam()
    @Get()
    async overview(@Param('kind') name: string, @Meta() meta: RequestMeta) {
      const kind = this.kind(name);
      const versions = await this.policies.versions(meta.tenant, kind);
      return {
        tenant: meta.tenant,
        kind,
        keptBy: POLICY_OWNERS[kind],
        current: this.policies.inForce(meta.tenant, kind),
        versions: versions.map(summary),
      };
    }

    @ApiEndpoint('One version of a policy', 'The version with its document; 0 is the seed.', [400, 404], {
      type: PolicyVersionDto,
    })
    @KindParam()
    @Get('versions/:n')
    async version(@Param('kind') name: string, @Param('n', new ParseIntPipe()) n: number, @Meta() meta: RequestMeta) {
      const kind = this.kind(name);
      const found = (await this.policies.versions(meta.tenant, kind)).find((v) => v.version === n);
      if (!found) throw new NotFoundException(`Tenant ${meta.tenant} has no version ${n} of ${kind}`);
      return found;
    }

    @ApiEndpoint(
      'Publish a policy version',
      'Records the next version, effective from `effectiveFrom` (default now); every instance of every service applying the kind uses it for decisions from then on, without a restart. A document the kind refuses is a 422 naming each field; a kind another service keeps is a 404 naming it.',
      [400, 404, 422],
      { type: PolicyVersionDto, status: 201 },
    )
    @KindParam()
    @Roles('admin')
    @Post('versions')
    @HttpCode(201)
    async publish(@Param('kind') name: string, @Body() body: PublishPolicyVersionDto, @Meta() meta: RequestMeta) {
      const kind = this.kind(name);
      if (!this.policies.kept.find(kind)) {
        throw new NotFoundException(`Policy kind ${kind} is kept by ${POLICY_OWNERS[kind]}: publish it there`);
      }
      try {
        return await this.policies.publish(kind, body, meta);
      } catch (error) {
        if (!(error instanceof PolicyRejected)) throw error;
        throw new UnprocessableEntityException({
          message: error.message,
          violations: error.problems.map((p) => ({ field: p.path, problems: [p.reason] })),
        });
      }
    }
  }
  return PoliciesController;
}
