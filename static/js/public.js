// The booking website's small helpers. Everything works without them; they make it quicker:
// forms that update as you choose, the customer's timezone, the calendar's arrow keys, the
// hold countdown, and focus moved to each new step for keyboard and screen-reader users.
(function () {
  "use strict";

  var TZ_COOKIE = "tz";
  var ARABIC_DIGITS = "٠١٢٣٤٥٦٧٨٩";

  // Arabic pages write numbers in Arabic-Indic digits, as the server does.
  function digits(text) {
    if (document.documentElement.lang !== "ar") return text;
    return text.replace(/[0-9]/g, function (d) { return ARABIC_DIGITS[d]; });
  }

  function cookie(name) {
    var match = document.cookie.match(new RegExp("(?:^|; )" + name + "=([^;]*)"));
    return match ? decodeURIComponent(match[1]) : null;
  }

  function detectedZone() {
    try { return Intl.DateTimeFormat().resolvedOptions().timeZone || null; } catch (e) { return null; }
  }

  // Remember the browser's timezone once, and show times in it unless the customer chose.
  // Inside the widget's frame nothing is kept in cookies: the zone travels in the URL.
  function adoptTimezone(root) {
    var inFrame = document.documentElement.classList.contains("frame");
    var url = new URLSearchParams(location.search);
    if (inFrame ? url.has("tz") : cookie(TZ_COOKIE)) return;
    // Asked only when needed: the first Intl call loads time zone data (tens of ms).
    var zone = detectedZone();
    if (!zone) return;
    if (!inFrame) {
      // Written as is: the server reads the zone name verbatim (names are cookie-safe).
      document.cookie = TZ_COOKIE + "=" + zone + "; path=/; max-age=31536000; samesite=lax";
    }
    var select = root.querySelector("select[name=tz]");
    if (select && select.value !== zone && !url.has("tz")) {
      if (!Array.prototype.some.call(select.options, function (o) { return o.value === zone; })) {
        select.add(new Option(zone.replace(/_/g, " "), zone), 0);
      }
      select.value = zone;
      select.form.requestSubmit();
    }
  }

  // Listened for on the document, so a choice made the moment a step appears (before htmx
  // settles it) still counts.
  function submitOnChange(event) {
    var form = event.target.form;
    if (form && form.matches("form[data-autosubmit]")) form.requestSubmit();
  }

  function hideSubmitButtons(root) {
    root.querySelectorAll("form[data-autosubmit] button[type=submit]").forEach(function (button) {
      button.classList.add("js-hidden");
    });
  }

  // Arrow keys move between the calendar's days (mirrored in right-to-left pages).
  function calendarKeys(event) {
    var day = event.target.closest(".cal-grid .cal-day");
    if (!day) return;
    var step = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: 7, ArrowUp: -7 }[event.key];
    if (step === undefined) return;
    if (document.dir === "rtl" && Math.abs(step) === 1) step = -step;
    var days = Array.prototype.slice.call(day.closest("tbody").querySelectorAll("td"));
    var index = days.indexOf(day.closest("td"));
    for (var i = index + step; i >= 0 && i < days.length; i += step) {
      var target = days[i].querySelector(".cal-day");
      if (target) { target.setAttribute("tabindex", "0"); target.focus(); event.preventDefault(); return; }
      if (Math.abs(step) === 7) break;
    }
  }

  function markSelected(event) {
    var day = event.target.closest(".cal-grid a.cal-day");
    if (!day) return;
    // The chosen day's name ends with ", selected"; only one day may say so.
    var suffix = day.closest("[data-calendar]").dataset.selectedSuffix || "";
    day.closest("tbody").querySelectorAll("a.cal-day.selected").forEach(function (other) {
      other.classList.remove("selected");
      other.removeAttribute("aria-current");
      var label = other.getAttribute("aria-label") || "";
      if (suffix && label.slice(-suffix.length) === suffix) {
        other.setAttribute("aria-label", label.slice(0, -suffix.length));
      }
    });
    if (!day.classList.contains("selected")) {
      day.classList.add("selected");
      day.setAttribute("aria-current", "date");
      day.setAttribute("aria-label", day.getAttribute("aria-label") + suffix);
    }
  }

  // The hold's countdown; the screen-reader announcement changes once a minute, not every second.
  function countdown(root) {
    var timer = root.querySelector(".hold-timer[data-expires]");
    if (!timer || timer.dataset.bound) return;
    timer.dataset.bound = "1";
    var skew = Date.now() - Date.parse(timer.dataset.now);
    var ends = Date.parse(timer.dataset.expires) + skew;
    var shown = timer.querySelector(".countdown");
    var announcer = root.querySelector("[data-hold-announcer]");
    var lastMinute = null;
    function tick() {
      var left = Math.max(0, Math.round((ends - Date.now()) / 1000));
      var minutes = Math.floor(left / 60), seconds = left % 60;
      shown.textContent = digits("(" + minutes + ":" + String(seconds).padStart(2, "0") + ")");
      if (announcer && minutes !== lastMinute && seconds === 0 && left > 0) {
        lastMinute = minutes;
        announcer.textContent = shown.textContent;
      }
      if (left === 0) {
        var expired = root.querySelector(".hold-expired");
        if (expired) expired.hidden = false;
        return;
      }
      if (document.body.contains(timer)) setTimeout(tick, 1000);
    }
    tick();
  }

  function focusStep(root) {
    var target = root.querySelector("[data-focus]") || root.querySelector(".step-title");
    if (target) target.focus({ preventScroll: false });
  }

  function setup(root) {
    hideSubmitButtons(root);
    countdown(root);
    adoptTimezone(root);
  }

  // Inside the widget's frame this script arrives after the page has loaded.
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { setup(document); });
  } else {
    setup(document);
  }
  document.addEventListener("change", submitOnChange);
  document.addEventListener("keydown", calendarKeys);
  document.addEventListener("click", markSelected);
  document.addEventListener("htmx:afterSettle", function (event) {
    // A history restore settles the page's top elements and names no target.
    var target = event.detail.target || event.target;
    if (!target || !target.querySelectorAll) return;
    setup(target);
    if (target.id === "flow") {
      focusStep(target);
      window.scrollTo({ top: 0 });
    }
  });
})();
