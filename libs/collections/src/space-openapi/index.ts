export * from './space-openapi.service';
export * from './space-openapi.controller';
