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
  "img-src 'self' data: blob:", // blob: attachments' images, fetched with the token
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

// The emoji picker's data (emojibase-data, bundled: the server must work offline), cut to
// what the picker uses (no skin-tone variants, shortcodes or emoticons): about a fifth of
// the file. Loaded on first use, as a chunk of its own.
function emojiData(): Plugin {
  return {
    name: "hubbub-emoji-data",
    enforce: "pre",
    transform(code, id) {
      if (!/emojibase-data[\\/]en[\\/]compact\.json$/.test(id)) return null;
      const all = JSON.parse(code) as {
        unicode: string;
        label: string;
        group?: number;
        order?: number;
        tags?: string[];
      }[];
      const kept = all
        .filter((e) => e.group !== undefined && e.group !== 2) // 2: skin tones, hair
        .map(({ unicode, label, group, order, tags }) => ({ unicode, label, group, order, tags }));
      return { code: JSON.stringify(kept), map: null };
    },
  };
}

export default defineConfig({
  base: "/",
  plugins: [contentSecurityPolicy(), emojiData()],
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
