import { existsSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';

/**
 * A freshly initialised PGlite data directory, made once at build time. Loading it
 * takes about a second where initdb takes three, so a fresh machine's first start
 * is ready sooner. Named by PGlite version so an upgrade never loads a stale one.
 */
function templatePath(): string {
  // The package does not export its package.json; read it beside the resolved entry point.
  const entry = require.resolve('@electric-sql/pglite');
  const pkg = join(
    entry.slice(
      0,
      entry.lastIndexOf('node_modules/@electric-sql/pglite/') + 'node_modules/@electric-sql/pglite/'.length,
    ),
    'package.json',
  );
  const { version } = JSON.parse(readFileSync(pkg, 'utf8')) as { version: string };
  return join(process.cwd(), 'dist', `pglite-template-${version}.tar`);
}

export function loadTemplate(): Blob | undefined {
  const path = templatePath();
  return existsSync(path) ? new Blob([readFileSync(path)]) : undefined;
}

/** Writes the template if it is missing; returns its path. */
export async function buildTemplate(): Promise<string> {
  const path = templatePath();
  if (existsSync(path)) return path;
  const db = await PGlite.create();
  const dump = await db.dumpDataDir('none');
  await db.close();
  writeFileSync(`${path}.tmp`, Buffer.from(await dump.arrayBuffer()));
  renameSync(`${path}.tmp`, path);
  return path;
}
