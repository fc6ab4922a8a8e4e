/** The caller's tenant's department directory: departments, their queues, and agents with skills and capacity. */
import { Controller, Get, Param } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { NotFoundError } from '@complaints/decider';
import { CAN, Meta, Roles, type RequestMeta, ApiEndpoint } from '@complaints/kit';
import { findDepartment } from '../domain/directory';
import { RoutingData } from '../rule-tables/rule-files';
import { DepartmentDto, DepartmentListDto } from '../responses.dto';

@ApiTags('routing')
@Roles(...CAN.readCases, 'admin')
@Controller('routing/departments')
export class DepartmentsController {
  constructor(private readonly data: RoutingData) {}

  @ApiEndpoint('List departments', 'The departments of the caller’s tenant, with their queues and agents.', [], {
    type: DepartmentListDto,
  })
  @Get()
  list(@Meta() meta: RequestMeta) {
    return { departments: this.data.directoryFor(meta.tenant).departments };
  }

  @ApiEndpoint('Read a department', 'One department of the caller’s tenant.', [404], { type: DepartmentDto })
  @Get(':id')
  department(@Param('id') id: string, @Meta() meta: RequestMeta) {
    const department = findDepartment(this.data.directoryFor(meta.tenant), id);
    if (!department) throw new NotFoundError('Department', id);
    return department;
  }
}
