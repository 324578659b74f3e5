// Live updates for a session page. Each request waits at the server until the session changes
// (or a few seconds pass), then the server-rendered part is swapped in and the next request
// goes out at once. Everything else on the page works without this script.
(function () {
  "use strict";
  var region = document.querySelector("[data-live-url]");
  if (!region || !window.fetch) { return; }
  var url = region.getAttribute("data-live-url");
  var version = region.getAttribute("data-live-version");
  function poll() {
    fetch(url + "?since=" + encodeURIComponent(version), { credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (response.status === 200) {
          version = response.headers.get("X-Live-Version") || version;
          return response.text().then(function (html) {
            region.innerHTML = html;
            region.setAttribute("data-live-version", version);
            poll();
          });
        }
        if (response.status === 204) { poll(); return; }
        // 401, 403, 404: signed out or gone; a reload says why. Anything else: try again soon.
        if (response.status >= 500) { window.setTimeout(poll, 1000); }
      })
      .catch(function () { window.setTimeout(poll, 1000); });
  }
  poll();
})();
