/* Satu Pintu's service worker: the portal works on a bad connection.
   - static files (hashed names, never change): from the cache once fetched;
   - pages: from the network; offline, the "you are offline" page;
   - a report sent while offline (POST to the form) is kept in IndexedDB with its form,
     idempotency key included, and sent again when the connection returns (on a sync event,
     or when a page of the portal is opened or comes back online). The platform answers a
     resend with the same key and the same form with the same report: never filed twice.
   The server fills in BASE (the API's base path), VERSION and OFFLINE. */
"use strict";
var BASE = "__BASE__";
var VERSION = "__VERSION__";
var OFFLINE = __OFFLINE__;  // {"id": "/offline", "en": "/en/offline"}
var ASSETS = __ASSETS__;  // the hashed CSS and JS
var PAGES = "satupintu-pages-" + VERSION;
var STATIC = "satupintu-static";
var SENT = "satupintu-sent";
var DB = "satupintu-outbox";

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(PAGES).then(function (cache) {
    return cache.addAll([OFFLINE.id, OFFLINE.en, OFFLINE.id + "?kept=1",
                         OFFLINE.en + "?kept=1"]);
  }).then(function () {
    return caches.open(STATIC).then(function (cache) { return cache.addAll(ASSETS); });
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) {
      return n.indexOf("satupintu-pages-") === 0 && n !== PAGES;
    }).map(function (n) { return caches.delete(n); }));
  }).then(function () { return self.clients.claim(); }).then(flush));
});

function isForm(url) {
  var path = url.pathname.slice(BASE.length);
  return path === "/lapor" || path === "/en/lapor";
}

function langOf(url) {
  return url.pathname.slice(BASE.length).indexOf("/en") === 0 ? "en" : "id";
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === "POST" && isForm(url)) {
    event.respondWith(sendOrKeep(request, url));
    return;
  }
  if (request.method !== "GET") return;
  if (url.pathname.indexOf(BASE + "/static/") === 0) {
    event.respondWith(caches.open(STATIC).then(function (cache) {
      return cache.match(request).then(function (hit) {
        return hit || fetch(request).then(function (response) {
          if (response.ok) cache.put(request, response.clone());
          return response;
        });
      });
    }));
    return;
  }
  if (url.pathname.indexOf(BASE + "/lapor/terkirim/") === 0) {
    event.respondWith(shownOnce(request));
    return;
  }
  if (request.mode === "navigate") {
    event.respondWith(fetch(request).catch(function () {
      return caches.match(OFFLINE[langOf(url)]);
    }));
  }
});

function sendOrKeep(request, url) {
  var copy = request.clone();
  return fetch(request).catch(function () {
    return copy.text().then(function (body) {
      var key = new URLSearchParams(body).get("idempotency_key") || String(Date.now());
      return put({key: key, url: url.href, body: body, lang: langOf(url)}).then(function () {
        if (self.registration.sync) {
          self.registration.sync.register("send-reports").catch(function () {});
        }
        return caches.match(OFFLINE[langOf(url)] + "?kept=1");
      });
    });
  });
}

/* The answer to a report sent later is kept until it is shown once (it holds the access
   token), then forgotten. */
function shownOnce(request) {
  return caches.open(SENT).then(function (cache) {
    return cache.match(request).then(function (hit) {
      if (!hit) return fetch(request);
      return cache.delete(request).then(function () { return hit; });
    });
  });
}

self.addEventListener("sync", function (event) {
  if (event.tag === "send-reports") event.waitUntil(flush());
});

self.addEventListener("message", function (event) {
  if (event.data === "flush") event.waitUntil(flush());
});

var flushing = null;

function flush() {
  if (flushing) return flushing;
  flushing = all().then(function (items) {
    return items.reduce(function (done, item) {
      return done.then(function () { return resend(item); });
    }, Promise.resolve());
  }).then(function () { flushing = null; }, function () { flushing = null; });
  return flushing;
}

function resend(item) {
  return fetch(item.url, {
    method: "POST",
    body: item.body,
    credentials: "same-origin",
    headers: {"Content-Type": "application/x-www-form-urlencoded"}
  }).then(function (response) {
    if (response.status >= 500) return;  // kept: tried again later
    var shown = BASE + "/lapor/terkirim/" + encodeURIComponent(item.key);
    var kept = new Response(response.body, {
      status: 200,
      headers: {"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store"}
    });
    return caches.open(SENT).then(function (cache) { return cache.put(shown, kept); })
      .then(function () { return remove(item.key); })
      .then(function () { return self.clients.matchAll({type: "window"}); })
      .then(function (clients) {
        clients.forEach(function (client) { client.postMessage({sent: shown}); });
      });
  }).catch(function () {});  // still offline: kept
}

/* IndexedDB, the few calls needed. */
function db() {
  return new Promise(function (resolve, reject) {
    var open = indexedDB.open(DB, 1);
    open.onupgradeneeded = function () { open.result.createObjectStore("reports", {keyPath: "key"}); };
    open.onsuccess = function () { resolve(open.result); };
    open.onerror = function () { reject(open.error); };
  });
}

function tx(mode, work) {
  return db().then(function (d) {
    return new Promise(function (resolve, reject) {
      var t = d.transaction("reports", mode);
      var result = work(t.objectStore("reports"));
      t.oncomplete = function () { resolve(result && result.result); };
      t.onerror = function () { reject(t.error); };
    });
  });
}

function put(item) { return tx("readwrite", function (s) { return s.put(item); }); }
function remove(key) { return tx("readwrite", function (s) { return s.delete(key); }); }
function all() { return tx("readonly", function (s) { return s.getAll(); }); }
