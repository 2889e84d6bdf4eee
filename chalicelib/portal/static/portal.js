/* Progressive enhancement only: every page works without this file. */
(function () {
  "use strict";
  attachments();
  worker();
  var form = document.getElementById("report-form");
  if (!form) return;

  // The regency list shows only the chosen province's regencies and cities.
  var province = document.getElementById("province");
  var regency = document.getElementById("regency");
  function filterRegencies() {
    var chosen = province.value;
    var groups = regency.getElementsByTagName("optgroup");
    for (var i = 0; i < groups.length; i++) {
      var show = !chosen || groups[i].getAttribute("data-province") === chosen;
      groups[i].hidden = !show;
      groups[i].disabled = !show;
    }
    var selected = regency.options[regency.selectedIndex];
    if (selected && selected.parentNode.disabled) regency.value = "";
  }
  if (province && regency) {
    province.addEventListener("change", filterRegencies);
    filterRegencies();
  }

  // "Use my current location" fills latitude and longitude.
  var locate = document.getElementById("locate");
  if (locate && navigator.geolocation) {
    locate.hidden = false;
    locate.addEventListener("click", function () {
      navigator.geolocation.getCurrentPosition(function (position) {
        document.getElementById("lat").value = position.coords.latitude.toFixed(6);
        document.getElementById("lon").value = position.coords.longitude.toFixed(6);
      });
    });
  }

  // One click sends once: the button is disabled while the report is on its way.
  var button = form.querySelector("button[type=submit]");
  form.addEventListener("submit", function () {
    if (button) button.disabled = true;
  });
  window.addEventListener("pageshow", function () {
    if (button) button.disabled = false;
  });

  // After an error, focus the summary so screen readers announce it.
  var summary = document.getElementById("error-summary");
  if (summary) summary.focus();
})();

/* Attachments with a progress bar: ask the portal for an upload slot, then post the file
   straight to the attachments bucket. Without this, the form asks for the kind of file
   and the next page posts it to the bucket. */
function attachments() {
  "use strict";
  var form = document.getElementById("attach-form");
  if (!form || !window.FormData || !window.fetch) return;
  var picker = form.querySelector(".js-only");
  var chooser = form.querySelector(".no-js");
  var input = document.getElementById("file");
  var bar = document.getElementById("attach-progress");
  var status = document.getElementById("attach-status");
  function failed() {
    bar.hidden = true;
    status.textContent = form.getAttribute("data-failed");
  }
  picker.hidden = false;
  chooser.hidden = true;
  chooser.querySelector("select").disabled = true;
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var file = input.files[0];
    if (!file) { input.focus(); return; }
    var ask = new URLSearchParams();
    ask.append("csrf", form.querySelector("input[name=csrf]").value);
    ask.append("content_type", file.type);
    ask.append("filename", file.name);
    ask.append("size", String(file.size));
    status.textContent = "";
    fetch(form.action, {method: "POST", body: ask, credentials: "same-origin",
                        headers: {"Accept": "application/json"}})
      .then(function (response) { return response.json(); })
      .then(function (slot) {
        if (slot.error) { status.textContent = slot.error; return; }
        var data = new FormData();
        Object.keys(slot.fields).forEach(function (k) { data.append(k, slot.fields[k]); });
        data.append("file", file);
        var xhr = new XMLHttpRequest();
        bar.hidden = false;
        xhr.upload.addEventListener("progress", function (e) {
          if (e.lengthComputable) bar.value = Math.round(e.loaded * 100 / e.total);
        });
        xhr.addEventListener("load", function () {
          if (xhr.status >= 200 && xhr.status < 300) {
            window.location.assign(form.getAttribute("data-done") + "#files");
          } else { failed(); }
        });
        xhr.addEventListener("error", failed);
        xhr.open("POST", slot.url);
        xhr.send(data);
      })
      .catch(failed);
  });
}

/* The service worker: pages on a bad connection, and reports written offline sent when
   the connection returns (the worker keeps them; this page asks it to try now). */
function worker() {
  "use strict";
  if (!("serviceWorker" in navigator)) return;
  var base = document.documentElement.getAttribute("data-base") || "";
  navigator.serviceWorker.register(base + "/sw.js", {scope: base + "/"}).catch(function () {});
  function flush() {
    if (navigator.serviceWorker.controller) navigator.serviceWorker.controller.postMessage("flush");
  }
  navigator.serviceWorker.addEventListener("message", function (event) {
    if (event.data && event.data.sent) window.location.assign(event.data.sent);
  });
  window.addEventListener("online", flush);
  flush();
}
