/** The caller's tenant's department directory: departments, their queues, and agents with skills and capacity. */
import { Controller, Get, Param } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { NotFoundError } from '@complaints/decider';
import { CAN, Meta, Roles, type RequestMeta } from '@complaints/kit';
import { findDepartment } from '../domain/directory';
import { RoutingData } from '../rule-tables/rule-files';

@ApiTags('routing')
@Roles(...CAN.readCases, 'admin')
@Controller('routing/departments')
export class DepartmentsController {
  constructor(private readonly data: RoutingData) {}

  @Get()
  list(@Meta() meta: RequestMeta) {
    return { departments: this.data.directoryFor(meta.tenant).departments };
  }

  @Get(':id')
  department(@Param('id') id: string, @Meta() meta: RequestMeta) {
    const department = findDepartment(this.data.directoryFor(meta.tenant), id);
    if (!department) throw new NotFoundError('Department', id);
    return department;
  }
}
