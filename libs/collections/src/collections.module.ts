import { Module } from '@nestjs/common';
import { AuditModule } from '@app/audit';
import { SpacesModule } from '@app/spaces';
import { CollectionKeyring } from './collection-keyring';
import { CollectionIndexer } from './collection-indexer';
import { FieldConverter } from './field-converter';
import { CollectionsController } from './collections.controller';
import { CollectionsService } from './collections.service';
import { RecordsController } from './records.controller';
import { RecordsService } from './records.service';
import { SchemaChanges } from './schema-changes';
import { SpaceOpenApiController, SpaceOpenApiService } from './space-openapi';

@Module({
  imports: [AuditModule, SpacesModule],
  controllers: [CollectionsController, RecordsController, SpaceOpenApiController],
  providers: [
    CollectionsService,
    RecordsService,
    SchemaChanges,
    SpaceOpenApiService,
    CollectionIndexer,
    CollectionKeyring,
    FieldConverter,
  ],
  exports: [CollectionsService, CollectionIndexer],
})
export class CollectionsModule {}
