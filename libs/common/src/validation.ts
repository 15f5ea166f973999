import { ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { ValidateIf } from 'class-validator';
import { FieldError } from './problem';
import { ProblemException } from './problem.exception';

/** Flattens class-validator's tree into `{ field: "a.b[0].c", message }` entries. */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): FieldError[] {
  const out: FieldError[] = [];
  for (const error of errors) {
    const field = parent
      ? /^\d+$/.test(error.property)
        ? `${parent}[${error.property}]`
        : `${parent}.${error.property}`
      : error.property;
    for (const message of Object.values(error.constraints ?? {})) out.push({ field, message });
    if (error.children?.length) out.push(...flattenValidationErrors(error.children, field));
  }
  return out;
}

type Constructor = new () => object;

/**
 * Most reads carry no query string, yet class-transformer and class-validator would
 * walk the query DTO's metadata on every one of them. An empty query is checked once
 * per DTO class: when `{}` passes, later empty queries get a fresh instance at once;
 * when it fails (a required parameter), every request still gets the full check.
 */
class ValidationPipeWithEmptyQueries extends ValidationPipe {
  private readonly emptyPasses = new WeakMap<object, boolean>();

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const type = metadata.metatype as Constructor | undefined;
    if (
      metadata.type !== 'query' ||
      !type ||
      typeof value !== 'object' ||
      value === null ||
      Object.keys(value).length > 0
    ) {
      return super.transform(value, metadata);
    }
    let passes = this.emptyPasses.get(type);
    if (passes === undefined) {
      passes = await super.transform({}, metadata).then(
        () => true,
        () => false,
      );
      this.emptyPasses.set(type, passes);
    }
    return passes ? new type() : super.transform(value, metadata);
  }
}

export function createValidationPipe(): ValidationPipe {
  return new ValidationPipeWithEmptyQueries({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    stopAtFirstError: false,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) =>
      new ProblemException(400, {
        type: 'validation-error',
        title: 'Validation failed',
        detail: 'One or more fields are invalid.',
        errors: flattenValidationErrors(errors),
      }),
  });
}

/**
 * Optional, but never null when present: for fields with no "unset" state, so
 * `{"name": null}` is a 400 naming the field rather than a NOT NULL violation.
 */
export const IsOptionalNonNull = (): PropertyDecorator => ValidateIf((_object, value) => value !== undefined);
