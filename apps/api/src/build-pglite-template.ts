import { buildTemplate } from '@app/database';

/** Part of `npm run build`: the initialised PGlite template the embedded default starts from. */
buildTemplate().then(
  (path) => process.stdout.write(`PGlite template: ${path}\n`),
  (error) => {
    // Without it the embedded database still starts, only slower (initdb).
    process.stderr.write(`PGlite template not built: ${error instanceof Error ? error.message : String(error)}\n`);
  },
);
