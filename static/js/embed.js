// The booking flow inside the widget's iframe talks to the host page: it says when it is
// ready, how tall it is and when a booking is made, and it fills in the customer's details
// the host page passed on. Messages go only to the host origin the server checked against the
// website's allowed domains, and only that origin's parent window is listened to.
// The message types are the widget's contract (widget/README.md); the SDK defines the same.
(function () {
  "use strict";

  var PROTOCOL = "scheduling/1";
  var MESSAGES = {
    READY: "ready",
    RESIZE: "resize",
    BOOKING_COMPLETE: "bookingComplete",
    PAYMENT_FAILED: "paymentFailed",
    CLOSE: "close",
    PREFILL: "prefill"
  };
  // Prefill keys and the details form's inputs they fill.
  var PREFILL_INPUTS = {
    firstName: "c_firstName",
    lastName: "c_lastName",
    email: "c_email",
    phone: "c_phoneNumber"
  };

  var host = document.body.dataset.hostOrigin;
  if (!host || window.parent === window) return;

  var prefill = null;
  var reported = {};
  var lastHeight = 0;

  function post(type, payload) {
    var message = Object.assign({ protocol: PROTOCOL, type: type }, payload || {});
    window.parent.postMessage(message, host);
  }

  function reportHeight() {
    var height = Math.ceil(document.body.getBoundingClientRect().height);
    if (height !== lastHeight) {
      lastHeight = height;
      post(MESSAGES.RESIZE, { height: height });
    }
  }

  // Fills only empty inputs: what the customer typed always wins.
  function applyPrefill(root) {
    if (!prefill) return;
    Object.keys(PREFILL_INPUTS).forEach(function (key) {
      var value = prefill[key];
      var input = root.querySelector("[name='" + PREFILL_INPUTS[key] + "']");
      if (typeof value === "string" && value && input && !input.value) input.value = value.slice(0, 200);
    });
  }

  function reportBooking(root) {
    root.querySelectorAll("script[data-booking-complete]").forEach(function (node) {
      var booking;
      try { booking = JSON.parse(node.textContent); } catch (e) { return; }
      if (!booking || reported[booking.bookingId]) return;
      reported[booking.bookingId] = true;
      post(MESSAGES.BOOKING_COMPLETE, { booking: booking });
    });
    root.querySelectorAll("script[data-payment-failed]").forEach(function (node) {
      var failure;
      try { failure = JSON.parse(node.textContent); } catch (e) { return; }
      if (failure) post(MESSAGES.PAYMENT_FAILED, failure);
    });
  }

  function currentStep() {
    var flow = document.getElementById("flow");
    return (flow && flow.dataset.step) || "";
  }

  window.addEventListener("message", function (event) {
    if (event.source !== window.parent || event.origin !== host) return;
    var data = event.data;
    if (!data || data.protocol !== PROTOCOL || data.type !== MESSAGES.PREFILL) return;
    if (data.customer && typeof data.customer === "object") {
      prefill = data.customer;
      applyPrefill(document);
    }
  });

  // Key presses inside a frame never reach the host page: the popup hears of Escape from here.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || event.defaultPrevented) return;
    if (document.body.dataset.mode !== "popup") return;
    if (event.target.closest && event.target.closest("select, details[open]")) return;
    post(MESSAGES.CLOSE);
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    var root = event.detail.target || document;
    applyPrefill(root);
    reportBooking(root);
  });

  if (window.ResizeObserver) new ResizeObserver(reportHeight).observe(document.body);
  post(MESSAGES.READY, { step: currentStep() });
  reportHeight();
  reportBooking(document);
})();
