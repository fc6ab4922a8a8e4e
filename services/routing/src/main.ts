import 'reflect-metadata';
import { runService } from '@complaints/kit';
import { routingService } from './routing.module';

runService(routingService);
