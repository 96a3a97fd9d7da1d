// Builds assets/plotly-infosak.min.js: plotly.js core with only the trace types in traces.json.
// Run from this folder: `npm ci && npm run build` (Node 20 or later). The app serves the built
// file; neither the app nor its tests need Node.
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const traces = JSON.parse(readFileSync(join(here, "traces.json"), "utf8"));
const version = require("plotly.js/package.json").version;
const outfile = join(here, "..", "assets", "plotly-infosak.min.js");

const entry = [
  "var Plotly = require('plotly.js/lib/core');",
  `Plotly.register([${traces.map((t) => `require('plotly.js/lib/${t}')`).join(", ")}]);`,
  "module.exports = Plotly;",
].join("\n");

// The map subplot's stylesheet is required by plotly's registry only for map traces, which
// the bundle leaves out: an empty module keeps esbuild from looking for it.
const noMapCss = {
  name: "no-map-css",
  setup(b) {
    b.onResolve({ filter: /maplibre-gl\.css$/ }, (args) => ({ path: args.path, namespace: "empty" }));
    b.onLoad({ filter: /.*/, namespace: "empty" }, () => ({ contents: "", loader: "js" }));
  },
};

await build({
  stdin: { contents: entry, resolveDir: here, loader: "js" },
  outfile,
  // As plotly.js's own build (esbuild-config.js): a global `Plotly`, which dcc.Graph takes
  // instead of loading Dash's full bundle.
  format: "iife",
  globalName: "Plotly",
  bundle: true,
  minify: true,
  legalComments: "eof",
  define: { global: "window", "define.amd": "false", "process.env.NODE_DEBUG": "false" },
  target: "es2016",
  plugins: [noMapCss],
  banner: {
    js: `/* plotly.js v${version} (MIT, https://github.com/plotly/plotly.js), traces: ${traces.join(", ")}; built by plotly_bundle/build.mjs */`,
  },
  logLevel: "info",
});
const size = readFileSync(outfile).length;
writeFileSync(
  join(here, "built.json"),
  `${JSON.stringify({ "plotly.js": version, traces, bytes: size }, null, 2)}\n`,
);
