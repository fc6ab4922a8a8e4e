/** The department directory: departments, their queues, and agents with skills and capacity. */
import { Controller, Get, Param } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { NotFoundError } from '@complaints/decider';
import { findDepartment } from '../domain/directory';
import { RoutingData } from '../rule-tables/rule-files';

@ApiTags('routing')
@Controller('routing/departments')
export class DepartmentsController {
  constructor(private readonly data: RoutingData) {}

  @Get()
  list() {
    return { departments: this.data.directory.departments };
  }

  @Get(':id')
  department(@Param('id') id: string) {
    const department = findDepartment(this.data.directory, id);
    if (!department) throw new NotFoundError('Department', id);
    return department;
  }
}
