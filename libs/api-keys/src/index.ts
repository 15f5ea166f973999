export * from './api-keys.module';
export * from './api-keys.service';
export * from './api-key-cache.service';
export * from './key-format';
export * from './permissions';
export * from './last-used.tracker';
export { ApiKeyWithSecretDto } from './dto/api-key.dto';
