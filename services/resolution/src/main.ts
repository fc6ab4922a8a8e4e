import 'reflect-metadata';
import { runService } from '@complaints/kit';
import { resolutionService } from './resolution.module';

runService(resolutionService);
