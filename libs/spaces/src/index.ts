export * from './roles';
export * from './space.entity';
export * from './space-access.service';
export * from './spaces.module';
export * from './spaces.service';
export * from './space-budgets.service';
export { SpaceDto } from './dto/space.dto';
export { tierOfSpace } from './spaces.queries';
