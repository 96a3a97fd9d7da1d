/* plotly.js is fetched with the page and run while the page waits for the server.
 *
 * dcc.Graph asks for plotly.js only when the first chart is drawn: after the page's layout, the
 * page router and the page's callbacks have answered. It then fetches the 1.4 MB bundle
 * (4.8 MB unpacked) and runs it, and only then draws, so every first visit waited for that
 * download and that run one after the other, after everything else (docs/performance.md,
 * "Omgång 10").
 *
 * The document's head preloads the same address the graph asks for (dashboard/layout.py,
 * PLOTLY_PRELOAD), so the download runs beside the other bundles. This script runs the bundle
 * as soon as the browser has nothing else to do (the renderer then waits for the server's
 * answers), or at once when a graph asks for it first. Until then window.Plotly is a promise of
 * plotly.js: dcc.Graph takes window.Plotly when it is there, through Promise.resolve, so it
 * waits for the bundle already on its way instead of adding a second copy of it. plotly.js
 * replaces the promise with itself when it has run (its last line sets window.Plotly).
 */
(function () {
  "use strict";

  if (window.Plotly) {
    return;
  }
  var config = document.getElementById("_dash-config");
  var prefix = "/";
  try {
    prefix = JSON.parse(config.textContent).requests_pathname_prefix || "/";
  } catch (e) {
    // No Dash page (the accessibility statement): nothing draws a chart.
    return;
  }
  // The address dash-renderer gives dcc.Graph (window._dashPlotlyJSURL) when served locally.
  var src = prefix + "_dash-component-suites/plotly/package_data/plotly.min.js";
  var started = false;
  var resolveReady;
  var rejectReady;
  var ready = new Promise(function (resolve, reject) {
    resolveReady = resolve;
    rejectReady = reject;
  });

  function start() {
    if (started) {
      return;
    }
    started = true;
    var script = document.createElement("script");
    script.src = src;
    script.async = true;
    script.onload = function () {
      resolveReady(window.Plotly);
    };
    script.onerror = function (error) {
      window.Plotly = undefined; // a graph drawn later tries again the way dcc.Graph does
      rejectReady(error);
    };
    document.head.appendChild(script);
  }

  window.Plotly = {
    then: function (onReady, onError) {
      start();
      return ready.then(onReady, onError);
    },
  };
  if (window.requestIdleCallback) {
    window.requestIdleCallback(start, { timeout: 2000 });
  } else {
    window.setTimeout(start, 0);
  }
})();
