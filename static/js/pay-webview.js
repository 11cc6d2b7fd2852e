// The payment page in an app's web view or another site's frame (seed 002's
// paymentWebViewLink) tells its host how the payment went: {type: "paymentInitialized"},
// {type: "paymentSuccess"} or {type: "paymentFailed", reason}, each with the bookingId.
// A frame's parent hears it only on an origin the website allows (never "*"); an app hears
// it through its bridge (flutter_inappwebview, React Native), or on the page itself.
(function () {
  "use strict";

  var node = document.getElementById("payment-event");
  if (!node) return;
  var message;
  try { message = JSON.parse(node.textContent); } catch (e) { return; }
  var body = document.body;
  var host = body.dataset.hostOrigin;
  var allowed = [];
  try { allowed = JSON.parse(body.dataset.allowedOrigins || "[]"); } catch (e) { allowed = []; }

  function matches(origin, pattern) {
    if (origin === pattern) return true;
    var star = pattern.indexOf("://*.");
    if (star < 0) return false;
    var scheme = pattern.slice(0, star + 3);
    var rest = pattern.slice(star + 5);
    return origin.indexOf(scheme) === 0 && origin.slice(-(rest.length + 1)) === "." + rest;
  }

  // The origin the page was opened for; else the framing page when the browser names it;
  // else each allowed origin (a message to any other origin than the parent's is dropped).
  function parentTargets() {
    if (host) return [host];
    var framer = location.ancestorOrigins && location.ancestorOrigins.length
      ? location.ancestorOrigins[0] : null;
    if (framer && allowed.some(function (p) { return matches(framer, p); })) return [framer];
    return allowed.filter(function (o) { return o.indexOf("*") < 0; });
  }

  function toBridge() {
    var flutter = window.flutter_inappwebview;
    if (flutter && typeof flutter.callHandler === "function") {
      flutter.callHandler("message", message);
      return true;
    }
    var native = window.ReactNativeWebView;
    if (native && typeof native.postMessage === "function") {
      native.postMessage(JSON.stringify(message));
      return true;
    }
    return false;
  }

  if (window.parent !== window) {
    parentTargets().forEach(function (origin) { window.parent.postMessage(message, origin); });
    return;
  }
  if (toBridge()) return;
  var delivered = false;
  // flutter_inappwebview's bridge may come a moment after the page's scripts.
  window.addEventListener("flutterInAppWebViewPlatformReady", function () {
    if (!delivered) delivered = toBridge();
  });
  // Apps that listen for messages on the page itself (seed 002's Flutter example) add their
  // listener once the page has loaded.
  window.addEventListener("load", function () {
    setTimeout(function () {
      if (delivered) return;
      delivered = true;
      window.postMessage(message, location.origin);
    }, 0);
  });
})();
