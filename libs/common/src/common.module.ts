import { Global, Module } from '@nestjs/common';
import { Metrics } from './metrics';
import { Ports } from './ports';
import { RoutePolicies } from './route-policy';

/** Global, with config and database: every lib reads route policies, uses the ports and the metrics registry. */
@Global()
@Module({ providers: [RoutePolicies, Ports, Metrics], exports: [RoutePolicies, Ports, Metrics] })
export class CommonModule {}
