/* The charts' text alternatives (dashboard/chart_table.py): the caption that names each chart
 * and says what it shows, and the gate that sends a chart's figure to the table builder only
 * while its "Visa som tabell" toggle is open (a closed table costs no request).
 */
(function () {
  "use strict";

  var TEXT = {
    sv: {
      chart: "Diagram",
      series: function (n) { return n === 1 ? "1 serie" : n + " serier"; },
      values: function (n) { return n === 1 ? "1 värde" : n + " värden"; },
      highest: "högst",
      lowest: "lägst",
      table: "Alla värden finns i tabellen under ”Visa som tabell”.",
      empty: "Diagrammet har inga värden för det här urvalet.",
    },
    en: {
      chart: "Chart",
      series: function (n) { return n === 1 ? "1 series" : n + " series"; },
      values: function (n) { return n === 1 ? "1 value" : n + " values"; },
      highest: "highest",
      lowest: "lowest",
      table: "Every value is in the table under “Show as table”.",
      empty: "The chart has no values for this selection.",
    },
  };

  function plain(text) {
    var div = document.createElement("div");
    div.innerHTML = String(text == null ? "" : text).replace(/<[^>]*>/g, " ");
    return div.textContent.replace(/\s+/g, " ").trim();
  }

  function title(part) {
    var t = part && part.title;
    return plain(t && typeof t === "object" ? t.text : t);
  }

  function decode(values) {
    // Plotly sends numpy arrays as {dtype, bdata}; only their count matters here.
    if (values && values.bdata !== undefined) {
      var bytes = atob(values.bdata).length;
      var size = parseInt(String(values.dtype).replace(/\D/g, ""), 10) || 8;
      return new Array(Math.floor(bytes / size));
    }
    return Array.isArray(values) ? values : [];
  }

  function sameText(a, b) {
    var norm = function (s) { return plain(s).toLowerCase(); };
    return norm(a) === norm(b);
  }

  // The extremes of a single series of plain numbers, as "högst A (12), lägst B (3)".
  function extremes(trace, lang, percent) {
    var horizontal = trace.orientation === "h" || (trace.type === "funnel" && trace.orientation !== "v");
    var cats = Array.isArray(trace[horizontal ? "y" : "x"]) ? trace[horizontal ? "y" : "x"] : null;
    var vals = Array.isArray(trace[horizontal ? "x" : "y"]) ? trace[horizontal ? "x" : "y"] : null;
    if (trace.type === "scatterpolar") {
      cats = Array.isArray(trace.theta) ? trace.theta : null;
      vals = Array.isArray(trace.r) ? trace.r : null;
    }
    if (!cats || !vals || !vals.length) {
      return "";
    }
    var hi = -1, lo = -1;
    vals.forEach(function (v, i) {
      if (typeof v !== "number" || isNaN(v)) { return; }
      if (hi < 0 || v > vals[hi]) { hi = i; }
      if (lo < 0 || v < vals[lo]) { lo = i; }
    });
    if (hi < 0) {
      return "";
    }
    var fmt = new Intl.NumberFormat(lang === "en" ? "en-GB" : "sv-SE", {
      style: percent ? "percent" : "decimal",
      maximumFractionDigits: percent ? 0 : 1,
    });
    var t = TEXT[lang];
    return t.highest + " " + plain(cats[hi]) + " (" + fmt.format(vals[hi]) + "), " +
      t.lowest + " " + plain(cats[lo]) + " (" + fmt.format(vals[lo]) + ")";
  }

  // What a screen reader hears for the chart: its own title where it differs from the card's
  // heading (e.g. "uppskattning"), its series and values, the extremes of a single series.
  function caption(figure, cardTitle) {
    var layout = (figure && figure.layout) || {};
    var lang = String(layout.separators || ", ").charAt(0) === "." ? "en" : "sv";
    var t = TEXT[lang];
    var traces = ((figure && figure.data) || []).filter(function (tr) { return tr && tr.visible !== false; });
    var own = title(layout);
    var parts = [];
    if (!traces.length) {
      parts.push(t.empty);
    } else {
      var count = 0;
      traces.forEach(function (tr) {
        var v = tr.type === "heatmap" ? decode(tr.z).length * ((decode(tr.x).length) || 1)
          : decode(tr.type === "scatterpolar" ? tr.r : (tr.orientation === "h" || tr.type === "funnel" ? tr.x : tr.y)).length;
        count += v;
      });
      var line = t.chart + ": " + t.series(traces.length) + ", " + t.values(count);
      if (traces.length === 1 && traces[0].type !== "heatmap") {
        var axis = layout[traces[0].orientation === "h" ? "xaxis" : "yaxis"] || {};
        var ext = extremes(traces[0], lang, String(axis.tickformat || "").indexOf("%") >= 0);
        if (ext) { line += "; " + ext; }
      }
      parts.push(line + ". " + t.table);
    }
    if (own && !sameText(own, cardTitle)) {
      parts.unshift(own + ".");
    }
    return parts.join(" ");
  }

  function detailsOf(toggleId) {
    var keys = Object.keys(toggleId).sort();
    var id = "{" + keys.map(function (k) { return JSON.stringify(k) + ":" + JSON.stringify(toggleId[k]); }).join(",") + "}";
    var summary = document.getElementById(id);
    return summary ? summary.parentElement : null;
  }

  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    chartTable: {
      gate: function (figure, nClicks, source) {
        var noUpdate = window.dash_clientside.no_update;
        var toggleId = window.dash_clientside.callback_context.inputs_list[1].id;
        var cardTitle = (source && source.caption) || "";
        var said = figure ? caption(figure, cardTitle) : noUpdate;
        // After the click's default action: only then does <details> say whether it is open.
        return new Promise(function (resolve) {
          window.setTimeout(function () {
            var details = detailsOf(toggleId);
            var open = details ? details.open : (nClicks || 0) % 2 === 1;
            if (!open || !figure) {
              resolve([noUpdate, said]);
              return;
            }
            resolve([{caption: cardTitle, figure: figure, opened: nClicks || 0}, said]);
          }, 0);
        });
      },
    },
  });
})();
