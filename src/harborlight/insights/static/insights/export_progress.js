// Progress of a running export: every 3 seconds, fetch this page again and put its status
// section in place of ours (announced politely to screen readers); once the export has
// finished, load the finished page. Without JavaScript the "Check again" link does it.
(function () {
  "use strict";
  var status = document.getElementById("export-status");
  if (!status || !status.hasAttribute("data-running")) { return; }
  function poll() {
    fetch(window.location.href, {credentials: "same-origin", cache: "no-store"})
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html")
          .getElementById("export-status");
        if (!fresh || !fresh.hasAttribute("data-running")) {
          window.location.reload();
          return;
        }
        status.querySelector("[data-step]").textContent =
          fresh.querySelector("[data-step]").textContent;
        var bar = status.querySelector("progress");
        bar.value = fresh.querySelector("progress").value;
        setTimeout(poll, 3000);
      })
      .catch(function () { setTimeout(poll, 10000); });
  }
  setTimeout(poll, 3000);
}());
