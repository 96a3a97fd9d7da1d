/* plotly.js is fetched and compiled beside the page's first requests, not after them.
 *
 * dcc.Graph asks for plotly.js only when the first chart is drawn: after the page's layout, the
 * page router and the page's callbacks have answered, and after its own chunk (async-graph.js).
 * It then fetched the 1.4 MB bundle (4.8 MB unpacked) and ran it, and only then drew: every
 * first visit waited for those steps one after the other (docs/performance.md, "Omgång 10").
 *
 * This script (run with the other assets, before the renderer starts) adds the bundle's script
 * element at once, as dcc.Graph would: the browser fetches and compiles it off the main thread
 * while the renderer asks the server for the layout and the callbacks. Until it has run,
 * window.Plotly is a promise of plotly.js: dcc.Graph takes window.Plotly when it is there,
 * through Promise.resolve, so it waits for the bundle already on its way instead of adding a
 * second copy. plotly.js replaces the promise with itself when it runs (its last line sets
 * window.Plotly). Preloading the bundle with <link rel=preload> was measured too and was
 * slower: a preloaded script is compiled on the main thread when it runs.
 *
 * Pages that draw no chart (PAGES_WITHOUT_CHARTS, kept equal to the page modules by
 * tests/test_plotly_early.py) do not fetch it: there it only cost time.
 */
(function () {
  "use strict";

  if (window.Plotly) {
    return;
  }
  var config;
  try {
    config = JSON.parse(document.getElementById("_dash-config").textContent);
  } catch (e) {
    return; // not a Dash page (the accessibility statement): nothing draws a chart
  }
  if (config.serve_locally === false) {
    return; // dcc.Graph fetches plotly.js from the CDN address in the config
  }
  var PAGES_WITHOUT_CHARTS = ["/inlasningar", "/inlasningar/ladda-upp", "/logg", "/tillganglighet"];
  var prefix = config.requests_pathname_prefix || "/";
  var path = "/" + window.location.pathname.slice(prefix.length).replace(/\/+$/, "");
  if (PAGES_WITHOUT_CHARTS.indexOf(path) >= 0) {
    return;
  }
  // The address dash-renderer gives dcc.Graph (window._dashPlotlyJSURL) when served locally.
  var src = prefix + "_dash-component-suites/plotly/package_data/plotly.min.js";
  var script = document.createElement("script");
  var ready = new Promise(function (resolve, reject) {
    script.onload = function () {
      resolve(window.Plotly);
    };
    script.onerror = function (error) {
      window.Plotly = undefined; // a chart drawn later asks for it again, as dcc.Graph does
      reject(error);
    };
  });
  window.Plotly = {
    then: function (onReady, onError) {
      return ready.then(onReady, onError);
    },
  };
  script.src = src;
  script.async = true;
  document.head.appendChild(script);
})();
