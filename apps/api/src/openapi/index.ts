export * from './document';
export * from './docs.module';
