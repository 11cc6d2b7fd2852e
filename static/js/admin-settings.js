// Settings pages: copy buttons for snippets and keys, and the theme preview recoloured while
// a colour is typed or picked. Loaded by each page that needs it, possibly several times
// over a session of HTMX navigation, so it installs its listeners once.
(function () {
  "use strict";
  if (window.mawidSettings) return;
  window.mawidSettings = true;
  var HEX = /^#(?:[0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$/i;
  var PROPERTY = { primaryColor: "--tp-brand", primaryTextColor: "--tp-brand-ink",
                   backgroundColor: "--tp-page", textColor: "--tp-ink" };

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    var source = button && document.getElementById(button.dataset.copy);
    if (!source) return;
    var isField = source.tagName === "INPUT" || source.tagName === "TEXTAREA";
    if (!navigator.clipboard) {  // not a secure context: select it for the visitor to copy
      if (isField) { source.select(); return; }
      var range = document.createRange();
      range.selectNodeContents(source);
      window.getSelection().removeAllRanges();
      window.getSelection().addRange(range);
      return;
    }
    navigator.clipboard.writeText(isField ? source.value : source.textContent).then(function () {
      var label = button.textContent;
      button.textContent = button.dataset.copied || label;
      setTimeout(function () { button.textContent = label; }, 2000);
    });
  });

  function sixDigits(value) {
    if (value.length === 4 || value.length === 5) {
      return "#" + value[1] + value[1] + value[2] + value[2] + value[3] + value[3];
    }
    return value.slice(0, 7);
  }

  document.addEventListener("input", function (event) {
    var target = event.target;
    var text = target.dataset.colourFor ? document.getElementById(target.dataset.colourFor) : target;
    if (!text || !text.dataset.themeKey) return;
    if (target !== text) text.value = target.value;
    var value = text.value.trim() || text.dataset.default;
    var preview = document.getElementById("theme-preview");
    if (!HEX.test(value)) return;
    if (preview) preview.style.setProperty(PROPERTY[text.dataset.themeKey], value);
    var picker = document.querySelector('[data-colour-for="' + text.id + '"]');
    if (picker && picker !== target) picker.value = sixDigits(value.toLowerCase());
  });
})();
