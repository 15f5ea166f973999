// `npm start` and `npm test` build first; this skips the build when nothing it reads has
// changed since the last one (a hash of the sources and build config, kept in dist/).
// A second `npm start` on an unchanged checkout goes straight to the server.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(import.meta.dirname, '..');
const stamp = join(root, 'dist', '.source-hash');
const INPUTS = [
  'apps/api/src',
  'apps/console/src',
  'apps/console/index.html',
  'apps/console/public',
  'apps/console/vite.config.mts',
  'libs',
  'openapi.json',
  'scripts/console-api-types.mjs',
  'scripts/console-compress.mjs',
  'package-lock.json',
  'package.json',
  'tsconfig.json',
  'nest-cli.json',
];
const OUTPUTS = ['dist/apps/api/src/main.js', 'apps/console/dist/index.html'];

function files(path) {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [path];
  return (
    readdirSync(path, { withFileTypes: true })
      // The console's generated API types are written by the build itself.
      .filter((entry) => entry.name !== 'node_modules' && !entry.name.endsWith('.generated.d.ts'))
      .flatMap((entry) => files(join(path, entry.name)))
  );
}

function sourceHash() {
  const hash = createHash('sha256');
  const all = INPUTS.flatMap((input) => files(join(root, input))).concat(
    files(join(root, 'apps/api/tsconfig.app.json')),
  );
  for (const file of all.sort()) hash.update(relative(root, file)).update('\0').update(readFileSync(file)).update('\0');
  return hash.digest('hex');
}

const current = sourceHash();
const built =
  existsSync(stamp) &&
  readFileSync(stamp, 'utf8') === current &&
  OUTPUTS.every((output) => existsSync(join(root, output))) &&
  readdirSync(join(root, 'dist')).some((name) => name.startsWith('pglite-template-'));
if (built) {
  console.log('build is current (sources unchanged since the last build)');
} else {
  const result = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
  writeFileSync(stamp, current);
}
