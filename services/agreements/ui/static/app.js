// Progressive enhancement of the agreement pages; every page works without it.
// Own code, no library: confirmation of destructive actions, one submission per click,
// file size checked before a long upload, focus on the first error after a refused form, and
// the Print button of a report.
(function () {
  "use strict";

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      return;
    }
    var files = form.querySelectorAll("input[type=file]");
    for (var k = 0; k < files.length; k++) {
      if (files[k].validationMessage) {
        event.preventDefault();
        files[k].reportValidity();
        return;
      }
    }
    if (form.dataset.sent === "1") {
      event.preventDefault();
      return;
    }
    form.dataset.sent = "1";
    var buttons = form.querySelectorAll("button[type=submit]");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].setAttribute("aria-disabled", "true");
      buttons[i].classList.add("busy");
    }
  });

  // A page shown again from the back/forward cache must accept its forms again.
  window.addEventListener("pageshow", function () {
    var forms = document.querySelectorAll("form[data-sent]");
    for (var i = 0; i < forms.length; i++) {
      delete forms[i].dataset.sent;
      var buttons = forms[i].querySelectorAll("button.busy");
      for (var j = 0; j < buttons.length; j++) {
        buttons[j].removeAttribute("aria-disabled");
        buttons[j].classList.remove("busy");
      }
    }
  });

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("input[type=file][data-max-bytes]")) {
      return;
    }
    var limit = parseInt(input.getAttribute("data-max-bytes"), 10);
    var file = input.files && input.files[0];
    input.setCustomValidity(file && file.size > limit ? input.getAttribute("data-too-large") : "");
    input.reportValidity();
  });

  document.addEventListener("DOMContentLoaded", function () {
    var alert = document.querySelector("[data-focus]");
    if (alert) {
      alert.focus();
    }
    // A report's Print button needs this script: shown only where it works.
    var printers = document.querySelectorAll("button[data-print]");
    for (var i = 0; i < printers.length; i++) {
      printers[i].hidden = false;
      printers[i].addEventListener("click", function () {
        window.print();
      });
    }
  });
})();
