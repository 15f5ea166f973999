import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { notFound, ProblemException, sendProblem } from '@app/common';
import { ConsoleFile, consoleDirectory, loadConsoleFiles } from './console-files';

/** Hashed file names change with their content: cached for a year. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * GET /console (API.md, "Console"): the web console's static files, built by `npm run
 * build` into apps/console/dist. Hashed assets are cached for a year; any other path under
 * /console is a client route and gets index.html (revalidated each time, so a deploy is
 * picked up). Brotli or gzip when the browser takes it.
 */
export function mountConsole(fastify: FastifyInstance, dir = consoleDirectory()): void {
  const files = dir ? loadConsoleFiles(dir) : new Map<string, ConsoleFile>();
  const send = (request: FastifyRequest, reply: FastifyReply, file: ConsoleFile, cache: string) => {
    void reply.header('content-type', file.type).header('cache-control', cache).header('etag', file.etag);
    void reply.header('vary', 'accept-encoding');
    if (request.headers['if-none-match'] === file.etag) return reply.code(304).send();
    const accepts = String(request.headers['accept-encoding'] ?? '');
    if (file.br && /\bbr\b/.test(accepts)) return reply.header('content-encoding', 'br').send(file.br);
    if (file.gzip && /\bgzip\b/.test(accepts)) return reply.header('content-encoding', 'gzip').send(file.gzip);
    return reply.send(file.body);
  };
  const serve = (request: FastifyRequest<{ Params: { '*'?: string } }>, reply: FastifyReply) => {
    const index = files.get('index.html');
    if (!index)
      return sendProblem(
        new ProblemException(503, {
          type: 'console-not-built',
          detail: 'The console is not built: run `npm run build`.',
        }),
        request,
        reply,
      );
    const path = request.params['*'] ?? '';
    const asset = files.get(path);
    if (asset && path !== 'index.html')
      return send(request, reply, asset, path.startsWith('assets/') ? IMMUTABLE : 'no-cache');
    // A missing asset is a 404, not the app (a stale tab asking for an old bundle).
    if (path.startsWith('assets/')) return sendProblem(notFound('No such console file.'), request, reply);
    return send(request, reply, index, 'no-cache');
  };
  fastify.get('/console', serve);
  fastify.get('/console/*', serve);
}
