export * from './collections.module';
export * from './collections.service';
export * from './fields';
export { ORDERS_EXAMPLE_FIELDS } from './dto/collection.dto';
export { CollectionIndexer } from './collection-indexer';
export { DecryptError, FieldCipher, newDataKey, unwrapDataKey, valueContext, wrapDataKey } from './field-crypto';
export { rewrapDataKeys, type RewrapReport } from './key-rotation';
