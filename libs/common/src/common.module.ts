import { Global, Module } from '@nestjs/common';
import { RoutePolicies } from './route-policy';

@Global()
@Module({ providers: [RoutePolicies], exports: [RoutePolicies] })
export class CommonModule {}
