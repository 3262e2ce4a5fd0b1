// Quick exit: leave for a neutral site at once and replace this page in the history, so
// "Back" does not return here. Without JavaScript the link still leaves (an ordinary
// navigation, which does keep this page in the history; the page says so).
(function () {
  "use strict";
  function leave(event) {
    var link = document.getElementById("quick-exit");
    if (!link) { return; }
    if (event) { event.preventDefault(); }
    document.body.classList.add("leaving");
    window.location.replace(link.href);
  }
  document.addEventListener("DOMContentLoaded", function () {
    var link = document.getElementById("quick-exit");
    if (link) { link.addEventListener("click", leave); }
  });
}());
