/** The tenant's policy versions (docs/policy.md): admins publish, auditors and admins read. */
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
} from '@nestjs/common';
import { ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiEndpoint, Meta, Roles, type RequestMeta } from '@complaints/kit';
import { PolicyRejected, type PolicyKindName, type PolicyVersion } from '@complaints/policy';
import { ResolutionPolicies } from '../infrastructure/policies';
import { PolicyOverviewDto, PolicyVersionDto, PublishPolicyVersionDto } from './policies.dto';

const KINDS = ['approval-limits', 'escalation-directory'];
const KindParam = () => ApiParam({ name: 'kind', enum: KINDS, description: 'The policy kinds resolution keeps' });

const summary = ({ document: _document, tenant: _tenant, ...rest }: PolicyVersion) => rest;

@ApiTags('policies')
@Roles('admin', 'auditor')
@Controller('policies/:kind')
export class PoliciesController {
  constructor(private readonly policies: ResolutionPolicies) {}

  private kind(name: string): PolicyKindName {
    const kind = this.policies.kinds.find(name);
    if (!kind) {
      throw new NotFoundException(`Policy kind ${name} is not kept by resolution (its kinds: ${KINDS.join(', ')})`);
    }
    return kind.name;
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
    'Records the next version, effective from `effectiveFrom` (default now); every instance applies it to decisions from then on without a restart. A document the kind refuses is a 422 naming each field.',
    [400, 404, 422],
    { type: PolicyVersionDto, status: 201 },
  )
  @KindParam()
  @Roles('admin')
  @Post('versions')
  @HttpCode(201)
  async publish(@Param('kind') name: string, @Body() body: PublishPolicyVersionDto, @Meta() meta: RequestMeta) {
    const kind = this.kind(name);
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
