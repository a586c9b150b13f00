/**
 * Builds the renderer into dist/renderer. `base: "./"` keeps asset URLs relative, so the same
 * bundle loads from the host's HTTP server (browser mode) and from a custom protocol (Electron).
 */
import { defineConfig } from "vite";
import solid from "vite-plugin-solid";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL(".", import.meta.url));

/** Vite settings for the renderer bundle. */
export default defineConfig({
  root,
  base: "./",
  plugins: [solid()],
  build: {
    outDir: fileURLToPath(new URL("../dist/renderer", import.meta.url)),
    emptyOutDir: true,
    target: "es2022",
    // Plotly is loaded on first chart (its own chunk); it alone exceeds the default warning size.
    chunkSizeWarningLimit: 5000,
    // The app rebuilds on start after a source change; a report on which plugin was slow is noise there.
    rolldownOptions: { checks: { bundlerTimings: false } },
  },
});
