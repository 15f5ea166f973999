export * from './oauth.module';
export * from './oauth-clients.service';
export * from '@app/common';
export * from './redirect-uri';
export * from './oauth-retention';
