import 'reflect-metadata';
import { runService } from '@complaints/kit';
import { intakeService } from './intake.module';

runService(intakeService);
