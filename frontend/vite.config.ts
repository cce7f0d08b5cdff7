// Builds src/main.ts into ../playground/static/dist/app.js and app.css with
// stable names, so the Django template can include them with {% static %}.
// `npm run dev` serves index.html and proxies the API and WebSocket to Django.

import { defineConfig } from "vitest/config";

const django = process.env.PLAYGROUND_DJANGO ?? "http://127.0.0.1:8000";

export default defineConfig(({ command }) => ({
  base: command === "build" ? "/static/dist/" : "/",
  build: {
    outDir: "../playground/static/dist",
    emptyOutDir: true,
    sourcemap: true,
    cssCodeSplit: false,
    rollupOptions: {
      input: "src/main.ts",
      output: {
        entryFileNames: "app.js",
        chunkFileNames: "[name].js",
        assetFileNames: (asset) => (asset.names?.some((n) => n.endsWith(".css")) ? "app.css" : "[name][extname]"),
      },
    },
  },
  server: {
    proxy: {
      "/api": django,
      "/ws": { target: django.replace(/^http/, "ws"), ws: true },
    },
  },
  test: {
    include: ["test/**/*.test.ts"],
  },
}));
