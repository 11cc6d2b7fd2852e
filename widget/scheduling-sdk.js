/*!
 * Mawid scheduling SDK 1.0.0: puts the booking flow on any web page, as a popup or inline.
 * The embed contract (attributes, methods, events, messages) is in widget/README.md.
 */
(function () {
  "use strict";

  // Two snippets on one page must not register a second message listener or initialise
  // the same containers twice: the first copy to run owns the page.
  if (window.SchedulingSDK && window.SchedulingSDK.version) return;

  var VERSION = "1.0.0";
  var PROTOCOL = "scheduling/1";
  // The frame keeps the same table; a test compares the two, so one entry per line.
  var MESSAGES = {
    READY: "ready",
    RESIZE: "resize",
    BOOKING_COMPLETE: "bookingComplete",
    PAYMENT_FAILED: "paymentFailed",
    CLOSE: "close",
    PREFILL: "prefill"
  };
  var SELECTOR = ".scheduling-button, .scheduling-native";
  var NATIVE = ".scheduling-native";
  // Long enough for a slow phone to parse the first page, short enough that a visitor does
  // not stare at the browser's "refused to connect" page for long.
  var READY_TIMEOUT_MS = 3000;
  var MIN_HEIGHT = 150;
  var MAX_HEIGHT = 20000;
  var NATIVE_START_HEIGHT = "600px";
  // Only hex colours: anything richer (url(), var(), expressions) could smuggle CSS into
  // the host page or the frame.
  var HEX_COLOUR = /^#(?:[0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$/i;
  var THEME_KEYS = ["primaryColor", "primaryTextColor", "backgroundColor", "textColor"];
  var SKIPPED_TAGS = /^(?:SCRIPT|NOSCRIPT|STYLE|TEMPLATE)$/;
  var TEXT = {
    en: {
      button: "Book Now",
      title: "Book an appointment",
      close: "Close",
      failed: "The booking form could not be shown here.",
      link: "Open the booking page"
    },
    ar: {
      button: "احجز الآن",
      title: "احجز موعدًا",
      close: "إغلاق",
      failed: "تعذّر عرض نموذج الحجز هنا.",
      link: "افتح صفحة الحجز"
    }
  };

  // The app lives wherever this file was served from; messages from any other origin are
  // not ours. currentScript is null when the file runs from a callback, hence the lookup.
  var script =
    document.currentScript || document.querySelector('script[src*="scheduling-sdk.js"]');
  var appOrigin = script && script.src ? new URL(script.src, location.href).origin : location.origin;
  // A page with a strict CSP that trusted this script by nonce usually trusts the same nonce
  // for styles; without it the injected <style> elements would be dropped.
  var nonce = (script && script.nonce) || "";

  var knownTypes = new Set(Object.keys(MESSAGES).map(function (key) { return MESSAGES[key]; }));
  var byContainer = new WeakMap();
  // Strong references, so the observer can find widgets whose container left the page.
  var widgets = new Set();
  // Every live iframe the SDK made; a message counts only if it comes from one of them.
  var frames = new Set();
  var current = null;
  var pageStyled = false;

  var FALLBACK_CSS =
    ":where(.scheduling-sdk-fallback){box-sizing:border-box;padding:24px 16px;text-align:center}" +
    ":where(.scheduling-sdk-fallback) p{margin:0 0 12px}" +
    ":where(.scheduling-sdk-fallback) a{color:inherit;font-weight:600}";

  // :where() has no specificity, so any host rule on .scheduling-sdk-button wins.
  var PAGE_CSS =
    ":where(.scheduling-sdk-button){box-sizing:border-box;display:inline-flex;align-items:center;" +
    "justify-content:center;min-width:44px;min-height:44px;margin:0;padding:10px 20px;border:0;" +
    "border-radius:8px;background:var(--scheduling-sdk-primary,#0f766e);" +
    "color:var(--scheduling-sdk-primary-text,#fff);font:inherit;font-weight:600;line-height:1.25;" +
    "cursor:pointer}" +
    ":where(.scheduling-sdk-button):focus-visible{outline:3px solid " +
    "var(--scheduling-sdk-primary,#0f766e);outline-offset:3px}" +
    ":where(.scheduling-sdk-floating){position:fixed;bottom:20px;inset-inline-end:20px;" +
    "z-index:2147483000;border-radius:999px;box-shadow:0 8px 24px rgba(0,0,0,.28)}" +
    ":where(.scheduling-sdk-floating-left){inset-inline-end:auto;inset-inline-start:20px}" +
    FALLBACK_CSS;

  // Lives in a shadow root, so the host's CSS cannot reach it and it cannot leak out.
  // dialog[open] and not dialog: a display value on a closed dialog would show it.
  var POPUP_CSS =
    "dialog[open]{box-sizing:border-box;display:flex;flex-direction:column;" +
    "width:min(720px,calc(100vw - 32px));height:min(860px,calc(100vh - 32px));" +
    "height:min(860px,calc(100dvh - 32px));max-width:none;max-height:none;margin:auto;padding:0;" +
    "border:0;border-radius:12px;overflow:hidden;background:var(--bg,#fff);color:var(--fg,#1f2937);" +
    "font:16px/1.4 system-ui,-apple-system,'Segoe UI',Roboto,Tahoma,sans-serif;" +
    "box-shadow:0 24px 64px rgba(0,0,0,.35)}" +
    "dialog::backdrop{background:rgba(15,23,42,.6)}" +
    ".bar{display:flex;justify-content:flex-end;flex:none;padding:4px;" +
    "border-bottom:1px solid rgba(127,127,127,.25)}" +
    ".x{box-sizing:border-box;width:44px;height:44px;padding:0;border:0;border-radius:50%;" +
    "background:transparent;color:inherit;font:28px/1 system-ui,sans-serif;cursor:pointer}" +
    ".x:hover{background:rgba(127,127,127,.18)}" +
    ".x:focus-visible{outline:3px solid var(--primary,#0f766e);outline-offset:-3px}" +
    "iframe,.scheduling-sdk-fallback{flex:1 1 auto;min-height:0}" +
    "@media (max-width:640px){dialog[open]{width:100vw;height:100vh;height:100dvh;margin:0;" +
    "border-radius:0}}" +
    FALLBACK_CSS;

  function element(tag, className) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    return node;
  }

  function styleElement(css) {
    var style = element("style");
    if (nonce) style.nonce = nonce;
    style.textContent = css;
    return style;
  }

  function ensurePageStyle() {
    if (pageStyled) return;
    pageStyled = true;
    var style = styleElement(PAGE_CSS);
    style.id = "scheduling-sdk-style";
    (document.head || document.documentElement).appendChild(style);
  }

  function text(value) {
    return value == null ? "" : String(value).trim();
  }

  function resolve(target) {
    if (typeof target === "string") {
      try {
        return document.querySelector(target);
      } catch (error) {
        return null;
      }
    }
    return target && target.nodeType === 1 ? target : null;
  }

  function cleanTheme(theme) {
    var clean = {};
    if (theme && typeof theme === "object") {
      THEME_KEYS.forEach(function (key) {
        var value = text(theme[key]);
        if (HEX_COLOUR.test(value)) clean[key] = value;
      });
    }
    return clean;
  }

  // The flow asks for first and last name apart, while hosts often hold one full name.
  function cleanPrefill(prefill) {
    if (!prefill || typeof prefill !== "object") return null;
    var parts = text(prefill.name).match(/^(\S+)\s+([\s\S]+)$/) || [null, text(prefill.name), ""];
    var values = {
      firstName: text(prefill.firstName) || parts[1],
      lastName: text(prefill.lastName) || parts[2],
      email: text(prefill.email),
      phone: text(prefill.phone)
    };
    var customer = {};
    Object.keys(values).forEach(function (key) {
      if (values[key]) customer[key] = values[key];
    });
    return Object.keys(customer).length ? customer : null;
  }

  function floatingSide(value) {
    if (value === true || value === "" || value === "true" || value === "right") return "right";
    return value === "left" ? "left" : null;
  }

  function direction(widget) {
    return widget.ui === "ar" ? "rtl" : "ltr";
  }

  function strings(widget) {
    return TEXT[widget.ui];
  }

  function makeWidget(options, mode, register) {
    options = options || {};
    var container = null;
    if (options.container != null) {
      container = resolve(options.container);
      if (!container) {
        console.error("SchedulingSDK: container not found:", options.container);
        return null;
      }
    } else if (register) {
      console.error("SchedulingSDK: the container option is required.");
      return null;
    }
    var appId = text(options.appId);
    if (!appId) {
      console.error("SchedulingSDK: appId (data-app-id) is required.", container || "");
      return null;
    }
    var lang = text(options.lang).toLowerCase();
    lang = lang === "ar" || lang === "en" ? lang : "";
    var widget = {
      mode: mode,
      container: container,
      appId: appId,
      typeId: text(options.typeId),
      resourceId: text(options.resourceId),
      // Sent to the frame only when the host chose it; otherwise the app picks the language.
      lang: lang,
      // The SDK's own words follow the host page when no language was chosen.
      ui: lang || (/^ar\b/i.test(document.documentElement.lang || "") ? "ar" : "en"),
      buttonText: text(options.buttonText),
      prefill: cleanPrefill(options.prefill),
      theme: cleanTheme(options.theme),
      floating: floatingSide(options.floating),
      callbacks: {
        ready: options.onReady,
        bookingComplete: options.onBookingComplete,
        paymentFailed: options.onPaymentFailed
      },
      seenBookings: new Set(),
      frame: null,
      popup: null,
      trigger: null,
      hostTrigger: false,
      fallback: null,
      destroyed: false
    };
    widget.handle = {
      element: container,
      open: function () {
        if (!widget.destroyed && mode === "popup") openPopup(widget);
      },
      close: function () {
        closePopup(widget);
      },
      destroy: function () {
        destroyWidget(widget);
      }
    };
    if (register) {
      // An explicit create on a live container means new options: the old widget goes.
      var previous = byContainer.get(container);
      if (previous) destroyWidget(previous);
      byContainer.set(container, widget);
      widgets.add(widget);
    }
    return widget;
  }

  function emit(widget, name, detail) {
    var target = widget.container || document;
    target.dispatchEvent(new CustomEvent("scheduling:" + name, { bubbles: true, detail: detail }));
    var callback = widget.callbacks[name];
    if (typeof callback === "function") {
      try {
        callback(detail);
      } catch (error) {
        // The host's bug must surface in its console but must not stop the SDK mid-message.
        setTimeout(function () {
          throw error;
        });
      }
    }
  }

  function pageUrl(widget, page, forFrame) {
    var params = new URLSearchParams();
    if (widget.typeId) params.set("type", widget.typeId);
    if (widget.resourceId) params.set("resource", widget.resourceId);
    if (widget.lang) params.set("lang", widget.lang);
    if (forFrame) {
      // The frame posts only to this origin, after the app checked it against the website's
      // allowed domains.
      params.set("origin", location.origin);
      params.set("mode", widget.mode);
      if (Object.keys(widget.theme).length) params.set("theme", JSON.stringify(widget.theme));
      // Times show in the customer's own zone from the first paint, with no cookie to keep it.
      var zone = browserZone();
      if (zone) params.set("tz", zone);
    }
    return (
      appOrigin + "/embed/" + encodeURIComponent(widget.appId) + "/" + page + "?" + params.toString()
    );
  }

  function browserZone() {
    try { return Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { return ""; }
  }

  function makeFrame(widget) {
    var iframe = element("iframe", "scheduling-sdk-frame");
    var frame = { widget: widget, iframe: iframe, ready: false, loaded: false, timer: 0 };
    iframe.src = pageUrl(widget, "book", true);
    iframe.title = strings(widget).title;
    iframe.setAttribute("allow", "payment");
    iframe.setAttribute("loading", "eager");
    iframe.style.display = "block";
    iframe.style.width = "100%";
    iframe.style.border = "0";
    iframe.addEventListener("load", function () {
      if (!frames.has(frame)) return;
      if (!frame.loaded) {
        frame.loaded = true;
        var popup = widget.popup;
        // Only take focus the visitor has not already moved elsewhere.
        if (popup && popup.root.activeElement === popup.closeButton) iframe.focus();
      }
      // A page refused by frame-ancestors still fires load but never says ready.
      if (!frame.ready && !frame.timer) {
        frame.timer = setTimeout(function () {
          if (frames.has(frame) && !frame.ready) showFallback(frame);
        }, READY_TIMEOUT_MS);
      }
    });
    frames.add(frame);
    widget.frame = frame;
    return frame;
  }

  function forgetFrame(frame) {
    clearTimeout(frame.timer);
    frames.delete(frame);
    if (frame.widget.frame === frame) frame.widget.frame = null;
  }

  function showFallback(frame) {
    var widget = frame.widget;
    var words = strings(widget);
    forgetFrame(frame);
    ensurePageStyle();
    var box = element("div", "scheduling-sdk-fallback");
    var message = element("p");
    var link = element("a");
    box.setAttribute("role", "status");
    box.lang = widget.ui;
    box.dir = direction(widget);
    message.textContent = words.failed;
    link.href = pageUrl(widget, "open", false);
    link.target = "_blank";
    link.rel = "noopener";
    link.textContent = words.link;
    box.append(message, link);
    frame.iframe.replaceWith(box);
    if (widget.mode === "native") widget.fallback = box;
    else if (widget.popup && !widget.popup.root.activeElement) link.focus();
    console.warn(
      "SchedulingSDK: the booking form did not load on " + location.origin + ". The booking " +
        "website only allows itself to be embedded on its allowed domains: if this is your " +
        "site, add " + location.origin + " to the website's allowed domains in Settings."
    );
  }

  function openPopup(widget, opener) {
    if (widget.popup) return;
    if (current) closePopup(current);
    var host = element("div", "scheduling-sdk-popup");
    if (typeof host.attachShadow !== "function" || typeof HTMLDialogElement !== "function") {
      // Browsers without modal dialogs still get the booking page, in a new tab.
      window.open(pageUrl(widget, "open", false), "_blank", "noopener");
      return;
    }
    var words = strings(widget);
    // Inline !important beats even !important host rules such as "body > div {display:none}".
    host.style.setProperty("all", "initial", "important");
    var root = host.attachShadow({ mode: "open" });
    var dialog = element("dialog");
    var bar = element("div", "bar");
    var closeButton = element("button", "x");
    dialog.setAttribute("aria-label", words.title);
    dialog.lang = widget.ui;
    dialog.dir = direction(widget);
    [
      ["--bg", "backgroundColor"],
      ["--fg", "textColor"],
      ["--primary", "primaryColor"]
    ].forEach(function (pair) {
      if (widget.theme[pair[1]]) dialog.style.setProperty(pair[0], widget.theme[pair[1]]);
    });
    closeButton.type = "button";
    closeButton.setAttribute("aria-label", words.close);
    closeButton.textContent = "\u00d7";
    bar.appendChild(closeButton);
    dialog.append(bar, makeFrame(widget).iframe);
    root.append(styleElement(POPUP_CSS), dialog);
    var popup = {
      host: host,
      root: root,
      dialog: dialog,
      closeButton: closeButton,
      opener: opener || document.activeElement,
      overflow: document.documentElement.style.overflow
    };
    widget.popup = popup;
    current = widget;
    function closeThis() {
      // Bound to this popup: a late event must not close the next one.
      if (widget.popup === popup) closePopup(widget);
    }
    closeButton.addEventListener("click", closeThis);
    dialog.addEventListener("cancel", function (event) {
      event.preventDefault();
      closeThis();
    });
    // Browsers may close a dialog without a cancelable cancel (repeated Escape without user
    // activation); the cleanup must run then too.
    dialog.addEventListener("close", closeThis);
    (document.body || document.documentElement).appendChild(host);
    document.documentElement.style.overflow = "hidden";
    dialog.showModal();
    closeButton.focus();
    emit(widget, "open", { appId: widget.appId, mode: "popup" });
  }

  function closePopup(widget) {
    var popup = widget.popup;
    if (!popup) return;
    widget.popup = null;
    if (current === widget) current = null;
    if (widget.frame) forgetFrame(widget.frame);
    if (popup.dialog.open) popup.dialog.close();
    // Dropping the frame means the next open starts a fresh flow, not a stale half-booking.
    popup.host.remove();
    document.documentElement.style.overflow = popup.overflow;
    var opener = popup.opener;
    if (opener && opener.isConnected && typeof opener.focus === "function") opener.focus();
    emit(widget, "close", { appId: widget.appId, mode: "popup" });
  }

  function hostElement(container) {
    for (var child = container.firstElementChild; child; child = child.nextElementSibling) {
      if (!SKIPPED_TAGS.test(child.tagName)) return child;
    }
    return null;
  }

  function createButton(options) {
    var widget = makeWidget(options, "popup", true);
    if (!widget) return null;
    var trigger = hostElement(widget.container);
    widget.hostTrigger = !!trigger;
    if (!trigger) {
      ensurePageStyle();
      trigger = element("button", "scheduling-sdk-button");
      trigger.type = "button";
      trigger.lang = widget.ui;
      trigger.dir = direction(widget);
      trigger.textContent = widget.buttonText || strings(widget).button;
      trigger.setAttribute("aria-haspopup", "dialog");
      if (widget.theme.primaryColor) {
        trigger.style.setProperty("--scheduling-sdk-primary", widget.theme.primaryColor);
      }
      if (widget.theme.primaryTextColor) {
        trigger.style.setProperty("--scheduling-sdk-primary-text", widget.theme.primaryTextColor);
      }
      if (widget.floating) {
        trigger.className +=
          " scheduling-sdk-floating" + (widget.floating === "left" ? " scheduling-sdk-floating-left" : "");
        // On <body>, so a transformed or hidden container cannot move or hide it.
        (document.body || document.documentElement).appendChild(trigger);
      } else {
        widget.container.appendChild(trigger);
      }
    }
    widget.onClick = function (event) {
      // A host link keeps its href for visitors without JavaScript; with it, the popup wins.
      event.preventDefault();
      openPopup(widget, event.currentTarget);
    };
    trigger.addEventListener("click", widget.onClick);
    widget.trigger = trigger;
    return widget.handle;
  }

  function create(options) {
    var widget = makeWidget(options, "native", true);
    if (!widget) return null;
    var iframe = makeFrame(widget).iframe;
    iframe.style.height = NATIVE_START_HEIGHT;
    widget.container.appendChild(iframe);
    return widget.handle;
  }

  function open(options) {
    var widget = makeWidget(options, "popup", false);
    if (!widget) return null;
    openPopup(widget);
    return widget.handle;
  }

  function destroyWidget(widget) {
    if (widget.destroyed) return;
    widget.destroyed = true;
    closePopup(widget);
    var frame = widget.frame;
    if (frame) {
      forgetFrame(frame);
      frame.iframe.remove();
    }
    if (widget.fallback) widget.fallback.remove();
    if (widget.trigger) {
      widget.trigger.removeEventListener("click", widget.onClick);
      // The host's own button stays exactly as the host wrote it.
      if (!widget.hostTrigger) widget.trigger.remove();
    }
    widgets.delete(widget);
    if (widget.container && byContainer.get(widget.container) === widget) {
      byContainer.delete(widget.container);
    }
  }

  function init(target) {
    var node = resolve(target);
    if (!node) return null;
    var known = byContainer.get(node);
    if (known) return known.handle;
    var native = node.classList.contains("scheduling-native");
    if (!native && !node.classList.contains("scheduling-button")) return null;
    var data = node.dataset;
    var options = {
      container: node,
      appId: data.appId,
      typeId: data.type,
      resourceId: data.resource,
      lang: data.lang,
      buttonText: data.buttonText,
      floating: data.floating,
      prefill: {
        name: data.prefillName,
        firstName: data.prefillFirstName,
        lastName: data.prefillLastName,
        email: data.prefillEmail,
        phone: data.prefillPhone
      },
      theme: {
        primaryColor: data.primaryColor,
        primaryTextColor: data.primaryTextColor,
        backgroundColor: data.backgroundColor,
        textColor: data.textColor
      }
    };
    return native ? create(options) : createButton(options);
  }

  function initAll(selector) {
    var handles = [];
    document.querySelectorAll(typeof selector === "string" ? selector : SELECTOR).forEach(function (node) {
      if (byContainer.has(node)) return;
      var handle = init(node);
      if (handle) handles.push(handle);
    });
    return handles;
  }

  function destroy(target) {
    var node = resolve(target);
    var widget = node && byContainer.get(node);
    if (!widget) return false;
    destroyWidget(widget);
    return true;
  }

  function findFrame(source) {
    var found = null;
    if (!source) return found;
    frames.forEach(function (frame) {
      if (frame.iframe.contentWindow === source) found = frame;
    });
    return found;
  }

  function onMessage(event) {
    // Origin alone is not enough: any page may frame the app too. The message must come
    // from a window this SDK created, which also tells which widget it belongs to.
    if (event.origin !== appOrigin) return;
    var data = event.data;
    if (!data || typeof data !== "object" || data.protocol !== PROTOCOL) return;
    if (!knownTypes.has(data.type)) return;
    var frame = findFrame(event.source);
    if (!frame) return;
    var widget = frame.widget;
    switch (data.type) {
      case MESSAGES.READY:
        // Every page of the flow says ready, and each one needs the prefill again.
        if (widget.prefill) {
          frame.iframe.contentWindow.postMessage(
            { protocol: PROTOCOL, type: MESSAGES.PREFILL, customer: Object.assign({}, widget.prefill) },
            appOrigin
          );
        }
        if (!frame.ready) {
          frame.ready = true;
          clearTimeout(frame.timer);
          emit(widget, "ready", { appId: widget.appId, mode: widget.mode });
        }
        break;
      case MESSAGES.RESIZE:
        // A popup has a fixed size and the frame scrolls inside it.
        if (widget.mode === "native" && typeof data.height === "number" && isFinite(data.height)) {
          var height = Math.min(MAX_HEIGHT, Math.max(MIN_HEIGHT, Math.ceil(data.height)));
          frame.iframe.style.height = height + "px";
        }
        break;
      case MESSAGES.BOOKING_COMPLETE:
        var booking = data.booking;
        if (!booking || typeof booking !== "object" || booking.bookingId == null) return;
        // A reload of the confirmation page says it again; the host must hear it once.
        var id = String(booking.bookingId);
        if (!id || widget.seenBookings.has(id)) return;
        widget.seenBookings.add(id);
        emit(widget, "bookingComplete", Object.assign({}, booking));
        break;
      case MESSAGES.PAYMENT_FAILED:
        emit(widget, "paymentFailed", { bookingId: data.bookingId, reason: data.reason });
        break;
      case MESSAGES.CLOSE:
        // Escape inside the frame never reaches this page, so the frame forwards it.
        if (widget.popup && widget.frame === frame) closePopup(widget);
        break;
    }
  }

  function onMutations(records) {
    // While the parser is still running, a button container may arrive before its own
    // button; DOMContentLoaded runs initAll once everything is there. Inline widgets need
    // nothing inside their container, so their frames start loading at once.
    var wanted = document.readyState === "loading" ? NATIVE : SELECTOR;
    var removed = [];
    records.forEach(function (record) {
      record.addedNodes.forEach(function (node) {
        if (node.nodeType !== 1 || !node.isConnected) return;
        if (node.matches(wanted) && !byContainer.has(node)) init(node);
        node.querySelectorAll(wanted).forEach(function (inner) {
          if (!byContainer.has(inner)) init(inner);
        });
      });
      record.removedNodes.forEach(function (node) {
        if (node.nodeType === 1) removed.push(node);
      });
    });
    if (!removed.length) return;
    // Only containers that were taken out of the page: a container built off-page and
    // not yet inserted keeps its widget. A moved container is connected again by now.
    widgets.forEach(function (widget) {
      var container = widget.container;
      if (container.isConnected) return;
      var gone = removed.some(function (node) {
        return node === container || node.contains(container);
      });
      if (gone) destroyWidget(widget);
    });
    // A single-page app that wipes <body> must not leave the page scroll-locked.
    if (current && !current.popup.host.isConnected) closePopup(current);
  }

  window.SchedulingSDK = {
    version: VERSION,
    createButton: createButton,
    open: open,
    create: create,
    init: init,
    initAll: function () {
      return initAll();
    },
    close: function () {
      if (current) closePopup(current);
    },
    destroy: destroy
  };

  window.addEventListener("message", onMessage);
  new MutationObserver(onMutations).observe(document.documentElement, {
    childList: true,
    subtree: true
  });
  if (document.readyState === "loading") {
    initAll(NATIVE);
    document.addEventListener("DOMContentLoaded", initAll, { once: true });
  } else {
    initAll();
  }
})();
