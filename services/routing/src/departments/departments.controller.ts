/** The caller's tenant's department directory: departments, their queues, and agents with skills and capacity. */
import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { NotFoundError } from '@complaints/decider';
import { ApiEndpoint, CAN, Meta, Paged, Roles, pageOf, strictQuery, type RequestMeta } from '@complaints/kit';
import { findDepartment } from '../domain/directory';
import { RoutingPolicies } from '../infrastructure/policies';
import { DepartmentDto, DepartmentListDto } from '../responses.dto';

/** A directory holds tens of departments: the default page holds all of them, as before paging. */
const DEPARTMENT_PAGE = { max: 500, default: 500 };

@ApiTags('routing')
@Roles(...CAN.readCases, 'admin')
@Controller('routing/departments')
export class DepartmentsController {
  constructor(private readonly data: RoutingPolicies) {}

  @ApiEndpoint('List departments', 'The departments of the caller’s tenant, with their queues and agents.', [], {
    type: DepartmentListDto,
    paged: true,
  })
  @Get()
  @Paged(DEPARTMENT_PAGE)
  list(@Query() raw: unknown, @Meta() meta: RequestMeta) {
    const query = strictQuery(raw, ['limit', 'cursor']);
    const { departments } = this.data.directoryAt(meta.tenant).directory;
    const { items, next } = pageOf(departments, (d) => d.id, query, DEPARTMENT_PAGE);
    return { departments: items, next };
  }

  @ApiEndpoint('Read a department', 'One department of the caller’s tenant.', [404], { type: DepartmentDto })
  @Get(':id')
  department(@Param('id') id: string, @Meta() meta: RequestMeta) {
    const department = findDepartment(this.data.directoryAt(meta.tenant).directory, id);
    if (!department) throw new NotFoundError('Department', id);
    return department;
  }
}
