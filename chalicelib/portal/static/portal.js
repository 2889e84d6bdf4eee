/* Progressive enhancement only: every page works without this file. */
(function () {
  "use strict";
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
