import 'reflect-metadata';
import { runService } from '@complaints/kit';
import { analyticsService } from './analytics.module';

runService(analyticsService);
