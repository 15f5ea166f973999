import { Module } from '@nestjs/common';
import { RootController } from './root.controller';
import { SpaceDocsController } from './space-docs.controller';

@Module({ controllers: [RootController, SpaceDocsController] })
export class DocsModule {}
