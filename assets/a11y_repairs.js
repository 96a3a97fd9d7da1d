/* Accessibility repairs for Dash 4 components, applied whenever the page changes.
 *
 * dcc.Dropdown:
 * The dropdown puts keyboard focus on a hidden proxy <input tabindex=0 aria-hidden=true> that
 * forwards it to the real button (axe: aria-hidden-focus); its open list box has no name
 * (aria-input-field-name) and each role=option label holds the radio or checkbox input that the
 * arrow keys actually focus and Enter selects (nested-interactive). Here the button itself takes
 * the focus, and the open list is what it really is: a named group of native radio buttons (or
 * check boxes, for multi-select) labelled by their option text. Keys and clicks work as before:
 * the button opens the list on Enter or ArrowDown, the arrow keys move between the inputs and
 * Enter picks one.
 * Upstream: plotly/dash#3673 (keyboard focus of the Dash 4 dropdown). See docs/accessibility.md.
 *
 * dcc.Upload: its file <input> has no label (axe: label); it is named after the drop zone's text.
 */
(function () {
  "use strict";

  function labelFor(button) {
    return button.id ? document.querySelector('label[for="' + CSS.escape(button.id) + '"]') : null;
  }

  function repair() {
    document.querySelectorAll(".dash-dropdown-wrapper").forEach(function (wrapper) {
      var proxy = wrapper.querySelector(":scope > .dash-dropdown-focus-target");
      var button = wrapper.querySelector(":scope > button.dash-dropdown");
      if (!proxy || !button) {
        return;
      }
      if (proxy.tabIndex !== -1) {
        proxy.tabIndex = -1;
      }
      if (!button.disabled && button.tabIndex !== 0) {
        button.tabIndex = 0;
      }
      var label = labelFor(button);
      if (label && label.id) {
        // Announce "Förvaltning, Alla förvaltningar", not just the value.
        var ids = (button.getAttribute("aria-labelledby") || "").split(/\s+/).filter(Boolean);
        if (ids[0] !== label.id) {
          button.setAttribute("aria-labelledby", [label.id].concat(ids.filter(function (i) {
            return i !== label.id;
          })).join(" "));
        }
      }
      var popup = button.getAttribute("aria-controls");
      var list = popup ? document.querySelector("#" + CSS.escape(popup) + " .dash-options-list") : null;
      if (list) {
        var multi = !!list.querySelector("input[type=checkbox]");
        var role = multi ? "group" : "radiogroup";
        if (list.getAttribute("role") !== role) {
          list.setAttribute("role", role);
        }
        var name = label ? label.textContent.trim() : button.textContent.trim();
        if (name && list.getAttribute("aria-label") !== name) {
          list.setAttribute("aria-label", name);
        }
      }
    });
    // The inputs carry the state (checked); the labels around them need no role of their own.
    var options = "label.dash-options-list-option[role], label.dash-options-list-option[aria-selected]";
    document.querySelectorAll(options).forEach(function (option) {
      option.removeAttribute("role");
      option.removeAttribute("aria-selected");
    });
  }

  function repairUploads() {
    document.querySelectorAll("input[type=file]:not([aria-label])").forEach(function (input) {
      var zone = input.parentElement;
      var name = zone ? zone.textContent.trim() : "";
      if (name) {
        input.setAttribute("aria-label", name);
      }
    });
  }

  var scheduled = false;
  function schedule() {
    if (!scheduled) {
      scheduled = true;
      // Before the next paint, so that neither a user nor axe sees the unrepaired state for long.
      window.requestAnimationFrame(function () {
        scheduled = false;
        repair();
        repairUploads();
      });
    }
  }

  new MutationObserver(schedule).observe(document.documentElement, {
    subtree: true,
    childList: true,
    attributes: true,
    attributeFilter: ["tabindex", "aria-controls", "aria-labelledby", "role", "aria-selected"],
  });
  repair();
  repairUploads();
})();
