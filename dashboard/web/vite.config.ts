import { defineConfig } from "vite";

// The Go server embeds dist/ and serves it at "/". For local work, `npm run dev` (or
// `vite preview`) proxies the API, the tiles and the live stream to a running server.
const target = process.env.CHENGYUN_API ?? "http://127.0.0.1:18200";

const proxy = {
  "/api/v1/stream": {
    target,
    ws: true,
    changeOrigin: true,
    // The stream gateway accepts only its own origin: present the target's.
    configure: (p: any) => {
      p.on("proxyReqWs", (req: any) => req.setHeader("origin", target));
    },
  },
  "/api": { target, changeOrigin: true },
  "/tiles": { target, changeOrigin: true },
};

// The policy the Go server sends: `vite preview` sends it too, so a violation shows up here.
const csp =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
  "font-src 'self' data:; connect-src 'self' ws: wss:; worker-src 'self' blob:";

export default defineConfig({
  base: "/",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: false,
    assetsDir: "assets",
    chunkSizeWarningLimit: 2000,
    rollupOptions: {
      output: {
        // The map's worker ships as .mjs: name it .js so any static server types it as JavaScript.
        assetFileNames: (info: { names?: string[]; name?: string }) =>
          (info.names?.[0] ?? info.name ?? "").endsWith(".mjs") ? "assets/[name]-[hash].js" : "assets/[name]-[hash][extname]",
      },
    },
  },
  server: { proxy },
  preview: { proxy, headers: { "Content-Security-Policy": csp } },
});
