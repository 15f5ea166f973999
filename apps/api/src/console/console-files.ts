import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

export interface ConsoleFile {
  type: string;
  etag: string;
  body: Buffer;
  br?: Buffer;
  gzip?: Buffer;
}

/** Where `npm run build` puts the console (apps/console/dist), seen from the compiled server or the sources. */
export function consoleDirectory(): string | undefined {
  const candidates = [
    join(__dirname, '..', '..', '..', '..', '..', 'apps', 'console', 'dist'),
    join(__dirname, '..', '..', '..', 'console', 'dist'),
  ];
  return candidates.find((dir) => existsSync(join(dir, 'index.html')));
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

/**
 * The built console, read once at start with the compressed copies the build made (made
 * here when missing; it is a few hundred KB): a request is a map lookup, with no
 * file-system access and no path from the URL ever touching the disk, so there is
 * nothing to traverse.
 */
export function loadConsoleFiles(dir: string): Map<string, ConsoleFile> {
  const files = new Map<string, ConsoleFile>();
  const all = walk(dir);
  const present = new Set(all);
  for (const path of all) {
    // Compressed copies made by the build (scripts/console-compress.mjs) travel with their file.
    if (path.endsWith('.br') || path.endsWith('.gz')) continue;
    const body = readFileSync(path);
    const type = TYPES[extname(path)] ?? 'application/octet-stream';
    const compressible = /^(text\/|application\/json|image\/svg)/.test(type) && body.length > 1024;
    const copy = (ext: string, make: () => Buffer) =>
      present.has(`${path}${ext}`) ? readFileSync(`${path}${ext}`) : make();
    files.set(relative(dir, path).split(sep).join('/'), {
      type,
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
      body,
      ...(compressible
        ? {
            br: copy('.br', () => brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } })),
            gzip: copy('.gz', () => gzipSync(body, { level: 9 })),
          }
        : {}),
    });
  }
  return files;
}
