// An admin widget's frame (seed 002 "Admin Widgets"). It tells the host page it is ready,
// takes a refresh or access token from it (only from an allowed origin, only from the
// window that framed it), keeps the token in memory, sends it as a header on every request,
// and tells the host page what happened (booking-created, booking-rescheduled,
// booking-error), posting to that verified origin only.
(function () {
  "use strict";

  var main = document.getElementById("webview");
  var allowed = JSON.parse(main.dataset.allowed || "[]");
  var selfOrigin = location.origin;
  var hostOrigin = null;
  var accessToken = null;
  var refreshToken = null;
  var refreshTimer = null;
  var retried = false;

  function matches(origin, pattern) {
    if (origin === pattern) return true;
    var star = pattern.indexOf("://*.");
    if (star < 0) return false;
    var scheme = pattern.slice(0, star + 3);
    var rest = pattern.slice(star + 5);
    return origin.indexOf(scheme) === 0 && origin.slice(-(rest.length + 1)) === "." + rest;
  }

  function isAllowed(origin) {
    if (!origin || origin === "null") return false;
    if (origin === selfOrigin) return true;
    return allowed.some(function (pattern) { return matches(origin, pattern); });
  }

  function say(message, kind) {
    main.innerHTML = "";
    var p = document.createElement("p");
    p.className = kind === "error" ? "form-error" : "muted";
    p.setAttribute("role", kind === "error" ? "alert" : "status");
    p.textContent = message;
    main.appendChild(p);
  }

  // Where to announce readiness: the framing page when the browser tells us who it is,
  // otherwise each allowed origin (a message to any other origin is simply not delivered).
  function readyTargets() {
    var candidate = null;
    if (location.ancestorOrigins && location.ancestorOrigins.length) {
      candidate = location.ancestorOrigins[0];
    } else if (document.referrer) {
      try { candidate = new URL(document.referrer).origin; } catch (e) { candidate = null; }
    }
    if (candidate && isAllowed(candidate)) return [candidate];
    return allowed.filter(function (o) { return o.indexOf("*") < 0; }).concat([selfOrigin]);
  }

  function post(message) {
    if (hostOrigin && window.parent !== window) window.parent.postMessage(message, hostOrigin);
  }

  function exchange() {
    return fetch(main.dataset.tokenUrl, {
      method: "POST",
      credentials: "omit",
      headers: { "Content-Type": "application/json", "X-Webview-Origin": hostOrigin },
      body: JSON.stringify({ refreshToken: refreshToken })
    }).then(function (response) {
      if (!response.ok) throw new Error("refused");
      return response.json();
    }).then(function (body) {
      accessToken = body.accessToken;
      clearTimeout(refreshTimer);
      // A fresh access token a little before this one expires.
      refreshTimer = setTimeout(exchange, Math.max(10, body.expiresIn - 30) * 1000);
    });
  }

  function load() {
    htmx.ajax("GET", main.dataset.contentUrl, { target: "#webview", swap: "innerHTML" });
  }

  window.addEventListener("message", function (event) {
    if (event.source !== window.parent || !isAllowed(event.origin)) return;
    var data = event.data;
    if (!data || typeof data !== "object") return;
    if (hostOrigin && event.origin !== hostOrigin) return;
    if (typeof data.refreshToken === "string") {
      hostOrigin = event.origin;
      refreshToken = data.refreshToken;
      exchange().then(load, function () { say(main.dataset.refused, "error"); });
    } else if (typeof data.accessToken === "string") {
      hostOrigin = event.origin;
      accessToken = data.accessToken;
      load();
    }
  });

  document.addEventListener("htmx:configRequest", function (event) {
    if (accessToken) event.detail.headers.Authorization = "Bearer " + accessToken;
  });

  // A request refused for its token: with a refresh token, get a new one and try again once.
  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr.status;
    if (status === 401 && refreshToken && !retried) {
      retried = true;
      exchange().then(load, function () { say(main.dataset.expired, "error"); });
      return;
    }
    say(status === 401 ? main.dataset.expired : main.dataset.failed, "error");
  });

  // Events the server put in a fragment go to the host page, then leave the page.
  document.addEventListener("htmx:afterSwap", function () {
    retried = false;
    document.querySelectorAll("script[data-webview-event]").forEach(function (node) {
      try { post(JSON.parse(node.textContent)); } catch (e) { /* not an event */ }
      node.remove();
    });
    var focus = main.querySelector("[data-autofocus], .form-error");
    if (focus) focus.focus();
  });

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches("[data-autosubmit]") && target.form) target.form.requestSubmit();
  });

  readyTargets().forEach(function (origin) {
    if (window.parent !== window) window.parent.postMessage({ type: "webview-ready" }, origin);
  });
})();
