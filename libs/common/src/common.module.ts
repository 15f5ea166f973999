import { Global, Module } from '@nestjs/common';
import { Ports } from './ports';
import { RoutePolicies } from './route-policy';

/** Global, with config and database: every lib reads route policies and plugs into or asks the ports. */
@Global()
@Module({ providers: [RoutePolicies, Ports], exports: [RoutePolicies, Ports] })
export class CommonModule {}
