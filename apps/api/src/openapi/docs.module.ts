import { Module } from '@nestjs/common';
import { SpaceDocsController } from './space-docs.controller';

@Module({ controllers: [SpaceDocsController] })
export class DocsModule {}
