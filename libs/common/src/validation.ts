import { ValidationError, ValidationPipe } from '@nestjs/common';
import { FieldError } from './problem';
import { ProblemException } from './problem.exception';

/** Flattens class-validator's tree into `{ field: "a.b[0].c", message }` entries. */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): FieldError[] {
  const out: FieldError[] = [];
  for (const error of errors) {
    const field = parent ? (/^\d+$/.test(error.property) ? `${parent}[${error.property}]` : `${parent}.${error.property}`) : error.property;
    for (const message of Object.values(error.constraints ?? {})) out.push({ field, message });
    if (error.children?.length) out.push(...flattenValidationErrors(error.children, field));
  }
  return out;
}

export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
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
