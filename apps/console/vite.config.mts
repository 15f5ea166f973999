import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

/**
 * The console is built into apps/console/dist by `npm run build` and served by the API under
 * /console (apps/api/src/console). Hashed assets under /console/assets are cached for a
 * year; everything loads from the same origin (no CDN), so it works offline and under a
 * Content-Security-Policy without inline scripts.
 */
export default defineConfig({
  root: here,
  base: '/console/',
  build: {
    // apps/console/dist: beside the console, since `nest build` empties the top-level dist/.
    outDir: `${here}dist`,
    emptyOutDir: true,
    target: 'es2022',
    // The bundle budget (issue #20: under 300 KB of compressed JavaScript) is reported by the browser test.
    chunkSizeWarningLimit: 600,
    rolldownOptions: {
      // Libraries' "use client" markers mean nothing in a client-only bundle.
      onwarn(warning, warn) {
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
    },
  },
  oxc: { jsx: { runtime: 'automatic' } },
});
