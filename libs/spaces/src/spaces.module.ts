import { Module } from '@nestjs/common';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { AuditModule } from '@app/audit';
import { SpaceSchema } from './space.entity';
import { SpaceAccessService } from './space-access.service';
import { SpaceBudgets } from './space-budgets.service';
import { SpaceMembersController } from './space-members.controller';
import { SpaceMembersService } from './space-members.service';
import { SpacesController } from './spaces.controller';
import { SpacesService } from './spaces.service';

@Module({
  imports: [MikroOrmModule.forFeature([SpaceSchema]), AuditModule],
  controllers: [SpacesController, SpaceMembersController],
  providers: [SpacesService, SpaceMembersService, SpaceAccessService, SpaceBudgets],
  exports: [SpaceAccessService, SpacesService, SpaceBudgets],
})
export class SpacesModule {}
