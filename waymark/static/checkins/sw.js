/* Waymark service worker (served at /sw.js, scope "/"; the server fills in the version and
 * the asset list and the sign-out and crisis help addresses).
 *
 * - Keeps the scripts and styles, so the check-in page works offline.
 * - Pages a patient opens (check-in, home, help, recovery, withdrawal log) are fetched from
 *   the network first and kept as a fallback for when there is no connection.
 * - Keeps the signed-in person's crisis help (/help/offline/: the same template as every
 *   page's crisis help) and shows it on its own offline pages.
 * - A check-in form posted while the server cannot be reached is kept in the outbox
 *   (IndexedDB, shared with the pages) and sent later by the pages.
 * - Signing out drops the kept pages, so the next person on this phone never sees them.
 */
"use strict";

var VERSION = "__VERSION__";
var LOGOUT_URL = "__LOGOUT_URL__";
var CRISIS_URL = "__CRISIS_URL__";
var ASSETS_CACHE = "waymark-assets-" + VERSION;
var PAGES_CACHE = "waymark-pages";
var ASSETS = [
  "__ASSETS__"
];
var KEPT_PAGES = ["/", "/me/", "/checkin/", "/help/", "/recovery/", "/withdrawal/"];
var STYLES = ASSETS.filter(function (url) { return /\.css$/.test(url); }).map(function (url) {
  return '<link rel="stylesheet" href="' + url + '">';
}).join("");
var HEAD =
  '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
  '<meta name="viewport" content="width=device-width, initial-scale=1">' + STYLES;
var BODY = '<body style="font-family:system-ui,sans-serif;padding:1rem;line-height:1.5"><main>';
// Shown when no crisis help was kept yet (never opened online while signed in).
var NO_KEPT_HELP =
  '<p>Call your local emergency number or a crisis line (<a href="/help/">your crisis lines</a>).</p>';

function crisisSection(title, intro, help) {
  return '<section class="crisis" role="alert"><h2>' + title + "</h2><p>" + intro + "</p>" +
    help + "</section>";
}

function helpNow(help) {
  return '<section class="card"><h2>If you need help now</h2><p>Phone calls work without ' +
    "internet.</p>" + help + "</section>";
}

function offlinePage(help) {
  return HEAD + "<title>Offline · Waymark</title></head>" + BODY +
    "<h1>You're offline</h1><p>This page isn't saved on your phone. Open your check-in once while " +
    "you're online and it will work offline after that.</p>" +
    helpNow(help) + "</main></body></html>";
}

function savedPage(help, safetyConcern) {
  var crisis = safetyConcern ? crisisSection(
    "You don't have to carry this alone",
    "Thank you for telling us. Your answer will reach your care team when you're back online. " +
    "If you feel you might act on these thoughts, or you don't feel safe right now, please " +
    "call now — phone calls work without internet:", help) : "";
  return HEAD + "<title>Saved on this phone · Waymark</title></head>" + BODY + crisis +
    "<h1>Saved on this phone</h1><p>We couldn't reach Waymark, so your check-in is saved on " +
    'this phone. It will be sent when you open Waymark again with a connection.</p><p><a href="/me/">Home</a></p>' +
    (safetyConcern ? "" : helpNow(help)) +
    "</main></body></html>";
}

importScripts(ASSETS.filter(function (url) { return /outbox\.js$/.test(url); })[0]);

self.addEventListener("install", function (event) {
  event.waitUntil(Promise.all([
    caches.open(ASSETS_CACHE).then(function (cache) { return cache.addAll(ASSETS); }),
    // Crisis help should open without a connection, from the first day.
    caches.open(PAGES_CACHE).then(function (cache) { return cache.add("/help/"); }).catch(function () {}),
    keepCrisisHelp()
  ]));
  self.skipWaiting();
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf("waymark-assets-") === 0 && name !== ASSETS_CACHE;
      }).map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); })
  );
});

function html(body, status) {
  return new Response(body, { status: status || 200, headers: { "Content-Type": "text/html; charset=utf-8" } });
}

// Each sign-out starts a new generation: a copy fetched before it is never kept after it, so
// one person's pages and people to call cannot reappear for the next person on this phone.
var generation = 0;

function keepIfSameGeneration(request, response, since) {
  if (since !== generation || !response.ok || response.redirected) { return Promise.resolve(); }
  return caches.open(PAGES_CACHE).then(function (cache) {
    return since === generation ? cache.put(request, response) : undefined;
  });
}

// The signed-in person's crisis help, kept again whenever a kept page loads from the network.
function keepCrisisHelp() {
  var since = generation;
  return fetch(CRISIS_URL, { credentials: "same-origin" })
    .then(function (response) { return keepIfSameGeneration(CRISIS_URL, response, since); })
    .catch(function () {});
}

function keptCrisisHelp() {
  return caches.open(PAGES_CACHE).then(function (cache) { return cache.match(CRISIS_URL); })
    .then(function (kept) { return kept ? kept.text() : NO_KEPT_HELP; })
    .catch(function () { return NO_KEPT_HELP; });
}

function keepCheckinPosted(request) {
  var body;
  return request.clone().formData().then(function (data) {
    body = self.WaymarkOutbox.checkinFromForm(data);
    return self.WaymarkOutbox.queue("/api/v1/checkins", body, data.get("outbox_user"),
      data.get("csrfmiddlewaretoken"));
  }).then(keptCrisisHelp).then(function (help) {
    return html(savedPage(help, body.safety_concern), 202);
  });
}

function pageFromNetwork(request, url) {
  var since = generation;
  return fetch(request).then(function (response) {
    if (response.ok && !response.redirected && KEPT_PAGES.indexOf(url.pathname) !== -1) {
      keepIfSameGeneration(request, response.clone(), since);
      keepCrisisHelp();
    }
    return response;
  }).catch(function () {
    return caches.open(PAGES_CACHE).then(function (cache) {
      return cache.match(request, { ignoreSearch: true }).then(function (kept) {
        return kept || (url.pathname === "/" ? cache.match("/me/") : null);
      });
    }).then(function (kept) {
      return kept || keptCrisisHelp().then(function (help) { return html(offlinePage(help), 503); });
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (request.method === "POST" && url.pathname === LOGOUT_URL) {
    generation += 1;  // nothing fetched before this sign-out is kept after it
    event.waitUntil(caches.delete(PAGES_CACHE));
    return;
  }
  if (request.method === "POST" && request.mode === "navigate" && url.pathname === "/checkin/") {
    var kept = request.clone();
    event.respondWith(fetch(request).catch(function () { return keepCheckinPosted(kept); }));
    return;
  }
  if (request.method !== "GET") { return; }
  if (request.mode === "navigate") {
    event.respondWith(pageFromNetwork(request, url));
    return;
  }
  if (ASSETS.indexOf(url.pathname) !== -1) {
    event.respondWith(caches.match(request).then(function (hit) { return hit || fetch(request); }));
  }
});
