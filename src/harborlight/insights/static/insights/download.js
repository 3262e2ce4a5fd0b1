// PNG downloads of the server-drawn SVG charts. Without JavaScript the SVG and CSV links
// still work; these buttons stay hidden. Nothing leaves the page: the SVG is drawn onto
// a canvas from a data: URL (allowed by img-src) and saved from the canvas.
(function () {
  "use strict";
  function save(button) {
    var figure = document.getElementById(button.getAttribute("data-svg"));
    var svg = figure && figure.querySelector("svg");
    if (!svg) { return; }
    var width = svg.viewBox.baseVal.width, height = svg.viewBox.baseVal.height;
    var text = new XMLSerializer().serializeToString(svg);
    var image = new Image();
    image.onload = function () {
      var canvas = document.createElement("canvas");
      canvas.width = width * 2; canvas.height = height * 2;
      var context = canvas.getContext("2d");
      context.scale(2, 2);
      context.drawImage(image, 0, 0, width, height);
      canvas.toBlob(function (blob) {
        var link = document.createElement("a");
        link.href = URL.createObjectURL(blob);
        link.download = button.getAttribute("data-name");
        document.body.appendChild(link);
        link.click();
        setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
      }, "image/png");
    };
    image.src = "data:image/svg+xml;base64," + btoa(unescape(encodeURIComponent(text)));
  }
  document.querySelectorAll("button.png-download").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { save(button); });
  });
})();
