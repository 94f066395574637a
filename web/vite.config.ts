/// <reference types="vitest/config" />
import { defineConfig, type Plugin } from "vite";

// `npm run dev` serves the client with hot reload and forwards the API and Socket.IO to a
// Hubbub server (HUBBUB_URL, default http://127.0.0.1:8000). `npm run build` writes the
// production bundle into the Python package, where `hubbub serve` finds it. `npm test` runs
// the unit tests of the DOM-free modules (tests/, vitest) in Node.
declare const process: { env: Record<string, string | undefined> };
const backend = process.env.HUBBUB_URL ?? "http://127.0.0.1:8000";

// The built page may load scripts, styles and connections from its own origin only: even a
// rendering bug could not run injected markup. (Not in dev, where Vite injects styles.)
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join("; ");

function contentSecurityPolicy(): Plugin {
  return {
    name: "hubbub-csp",
    apply: "build",
    transformIndexHtml: () => [
      {
        tag: "meta",
        attrs: { "http-equiv": "Content-Security-Policy", content: CSP },
        injectTo: "head-prepend",
      },
    ],
  };
}

export default defineConfig({
  base: "/",
  plugins: [contentSecurityPolicy()],
  build: {
    outDir: "../src/hubbub/static/app",
    emptyOutDir: true,
    assetsDir: "assets",
    target: "es2022",
  },
  server: {
    proxy: {
      "/api": backend,
      "/healthz": backend,
      "/socket.io": { target: backend, ws: true },
    },
  },
  test: {
    include: ["tests/**/*.test.ts"],
    environment: "node",
  },
});
