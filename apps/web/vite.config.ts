import react from '@vitejs/plugin-react';
import { defaultClientConditions, defineConfig, type ProxyOptions } from 'vite';

// where the dev server (and `vite preview`) forward API calls
const apiTarget = process.env.CODY_API_URL ?? 'http://127.0.0.1:4010';

// an SSE response the API drops must drop in the browser too, or the client waits for its idle timeout
const forwardDrops: ProxyOptions['configure'] = (proxy) => {
  proxy.on('proxyRes', (proxyRes, _req, res) => {
    proxyRes.on('close', () => {
      if (!proxyRes.complete) res.destroy();
    });
  });
};

// The API refuses POST/PATCH/DELETE whose Origin is not its own. A request the page on this dev
// server made (Origin = this server, as the browser saw it) is passed on with the API's origin;
// any other Origin is passed on untouched, so the API still refuses foreign pages.
const sameOriginAsApi: ProxyOptions['configure'] = (proxy) => {
  proxy.on('proxyReq', (proxyReq, req) => {
    const origin = req.headers.origin;
    if (origin && URL.canParse(origin) && new URL(origin).host === req.headers.host) {
      proxyReq.setHeader('origin', new URL(apiTarget).origin);
    }
  });
};

const proxy: Record<string, ProxyOptions> = {
  '/api': {
    target: apiTarget,
    changeOrigin: true,
    configure: (proxy, options) => {
      forwardDrops(proxy, options);
      sameOriginAsApi(proxy, options);
    },
  },
  '/health': { target: apiTarget, changeOrigin: true },
};

export default defineConfig({
  plugins: [react()],
  // workspace packages resolve to their src/, so a fresh install builds without prebuilding them
  resolve: { conditions: ['@cody/source', ...defaultClientConditions] },
  server: { proxy },
  preview: { proxy },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    target: 'es2022',
    rollupOptions: {
      output: {
        // vendor code changes rarely: separate files stay cached across app releases
        manualChunks(id) {
          if (!id.includes('node_modules')) return undefined;
          if (/[\\/]node_modules[\\/](react|react-dom|scheduler)[\\/]/.test(id)) return 'react';
          if (/[\\/]node_modules[\\/]zod[\\/]/.test(id)) return 'zod';
          return 'vendor';
        },
      },
      onwarn(warning, warn) {
        // zod ships comments rollup cannot place; harmless and not ours to fix
        if (warning.code === 'INVALID_ANNOTATION' && warning.id?.includes('node_modules')) return;
        warn(warning);
      },
    },
  },
});
