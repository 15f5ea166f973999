import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'portico:public';

/** Opts a route out of the global guard: it is reachable without a credential. */
export const Public = () => SetMetadata(IS_PUBLIC, true);
