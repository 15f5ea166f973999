export * from './oauth.module';
export * from './oauth-clients.service';
export * from './oauth-scopes';
export * from './redirect-uri';
