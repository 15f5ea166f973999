import { Global, Module } from '@nestjs/common';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { SPACE_AUTHORIZER } from '@app/common';
import { SpaceSchema } from './space.entity';
import { SpaceAccessService } from './space-access.service';
import { SpaceBudgets } from './space-budgets.service';
import { SpaceMembersController } from './space-members.controller';
import { SpaceMembersService } from './space-members.service';
import { SpacesController } from './spaces.controller';
import { SpacesService } from './spaces.service';

@Global()
@Module({
  imports: [MikroOrmModule.forFeature([SpaceSchema])],
  controllers: [SpacesController, SpaceMembersController],
  providers: [
    SpacesService,
    SpaceMembersService,
    SpaceAccessService,
    SpaceBudgets,
    { provide: SPACE_AUTHORIZER, useExisting: SpaceAccessService },
  ],
  exports: [SpaceAccessService, SpacesService, SpaceBudgets, SPACE_AUTHORIZER],
})
export class SpacesModule {}
