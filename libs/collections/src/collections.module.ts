import { Module } from '@nestjs/common';
import { CollectionsController } from './collections.controller';
import { CollectionsService } from './collections.service';
import { RecordsController } from './records.controller';
import { RecordsService } from './records.service';
import { SchemaChanges } from './schema-changes';

@Module({
  controllers: [CollectionsController, RecordsController],
  providers: [CollectionsService, RecordsService, SchemaChanges],
  exports: [CollectionsService],
})
export class CollectionsModule {}
