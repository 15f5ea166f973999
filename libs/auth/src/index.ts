export * from './auth.module';
export * from './auth.service';
export * from './credential.authenticator';
export * from './jwt.strategy';
export * from './me.service';
export * from './oauth-grants';
export * from './signing-keys.service';
export * from './user.entity';
