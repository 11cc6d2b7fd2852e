// The staff admin's small helpers: toasts sent by the server (HX-Trigger "toast"), selects
// that submit on change, and focus moved to what a swap brought in. Without this script
// every page and form still works with full page loads.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function showToast(message, kind) {
    var region = document.getElementById("toasts");
    if (!region || !message) return;
    var toast = document.createElement("div");
    toast.className = "toast toast-" + (kind || "success");
    toast.textContent = message;
    region.appendChild(toast);
    setTimeout(function () { toast.remove(); }, 5000);
  }

  document.addEventListener("toast", function (event) {
    var detail = event.detail || {};
    showToast(detail.message, detail.kind);
  });

  // Flashed messages of a full page fade away like toasts do.
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("#toasts .toast").forEach(function (toast) {
      setTimeout(function () { toast.remove(); }, 5000);
    });
  });

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches("[data-autosubmit]") && target.form) target.form.requestSubmit();
  });

  // A failed request (a 5xx, or the network) must not look like nothing happened.
  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    if (status === 401 || status === 403) {
      showToast(document.body.dataset.forbidden || "Not allowed.", "error");
      return;
    }
    showToast(document.body.dataset.failed || "Something went wrong. Please try again.", "error");
  });
  document.addEventListener("htmx:sendError", function () {
    showToast(document.body.dataset.offline || "The server cannot be reached.", "error");
  });

  // After a swap, move focus to a form's error summary or to a panel that opened.
  document.addEventListener("htmx:afterSettle", function (event) {
    var root = event.detail.elt;
    var target = root.querySelector && (root.querySelector(".form-error") || root.querySelector("[data-autofocus]"));
    if (target) target.focus();
  });

  // The side panel: it remembers what opened it, closes with its button or Escape, and
  // gives the focus back to that element.
  var panelOpener = null;
  document.addEventListener("htmx:beforeRequest", function (event) {
    var target = event.detail.target;
    if (target && target.id === "panel-slot") panelOpener = event.detail.elt;
  });
  function closePanel() {
    var panel = document.querySelector("#panel-slot .panel");
    if (!panel) return;
    panel.remove();
    if (!panelOpener) return;
    // A refreshed calendar or list has a new element for the same booking.
    var opener = document.body.contains(panelOpener)
      ? panelOpener
      : document.querySelector('[hx-get="' + panelOpener.getAttribute("hx-get") + '"]');
    if (opener) opener.focus();
  }
  document.addEventListener("click", function (event) {
    if (event.target.closest(".panel [data-close]")) closePanel();
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") closePanel();
  });
})();

// The admin widget preview: this page is its host, and signs it in with a short-lived token.
(function () {
  "use strict";
  window.addEventListener("message", function (event) {
    if (event.origin !== location.origin || !event.data || event.data.type !== "webview-ready") return;
    document.querySelectorAll("iframe[data-widget-preview]").forEach(function (frame) {
      if (frame.contentWindow === event.source) {
        event.source.postMessage({ accessToken: frame.dataset.accessToken }, location.origin);
      }
    });
  });
})();
