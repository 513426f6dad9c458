/* Waymark service worker (served at /sw.js, scope "/"; the server fills in the version and
 * the asset list and the sign-out and crisis help addresses).
 *
 * - Keeps the scripts and styles, so the pages that matter work offline.
 * - The pages that matter (check-in, help, the relapse prevention plan, the safety plan,
 *   coping tools) are kept the first time any page of the person's loads online, so they
 *   work offline after one online visit; home, recovery, withdrawal log, the printable
 *   plans and each Learn article are kept once opened. All are fetched from the network
 *   first and kept as a fallback for when there is no connection.
 * - Any other page, offline, falls back to the worker's own offline page: styled, with the
 *   kept crisis help (the organization's lines, the person's own people, the care team),
 *   "Get help now", and links to the pages that work offline.
 * - Keeps the signed-in person's crisis help (/help/offline/: the same template as every
 *   page's crisis help) and shows it on its own offline pages.
 * - A check-in form posted while the server cannot be reached is kept in the outbox
 *   (IndexedDB, shared with the pages) and sent later by the pages.
 * - Kept pages belong to one person: they are kept in a cache named by the key the server
 *   sends with every signed-in response (Waymark-Cache-Key, an HMAC of the user id), and
 *   only for as long as that session can last (Waymark-Session-Expires-In). Signing out, a
 *   response for nobody (the session has ended) or for someone else (another person signed
 *   in) drops every other person's kept pages, so the next person on this phone never
 *   sees them; a kept page past its session's end is dropped instead of shown.
 */
"use strict";

var VERSION = "__VERSION__";
var LOGOUT_URL = "__LOGOUT_URL__";
var CRISIS_URL = "__CRISIS_URL__";
var ASSETS_CACHE = "waymark-assets-" + VERSION;
var PAGES_PREFIX = "waymark-pages-";
var KEY_HEADER = "Waymark-Cache-Key";
var EXPIRES_HEADER = "Waymark-Session-Expires-In";
var KEPT_UNTIL_HEADER = "Waymark-Kept-Until";
var ASSETS = [
  "__ASSETS__"
];
var WARM_PAGES = [
  "__WARM_PAGES__"
];
var KEPT_PAGES = WARM_PAGES.concat([
  "__OPENED_PAGES__"
]);
var KEPT_PREFIXES = [
  "__KEPT_PREFIXES__"
];
var STYLES = ASSETS.filter(function (url) { return /\.css$/.test(url); }).map(function (url) {
  return '<link rel="stylesheet" href="' + url + '">';
}).join("");
var HEAD =
  '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
  '<meta name="viewport" content="width=device-width, initial-scale=1">' + STYLES;
var BODY = '<body class="offline-page"><header class="topbar"><a class="brand" href="/">' +
  'Waymark</a><a class="help-now" href="/help/">Get help now</a></header><main id="main">';
// Shown when no crisis help was kept yet (never opened online while signed in).
var NO_KEPT_HELP =
  '<p>Call your local emergency number or a crisis line (<a href="/help/">your crisis lines</a>).</p>';
var WORKS_OFFLINE =
  '<ul class="offline-links"><li><a href="/checkin/">Check in</a></li>' +
  '<li><a href="/help/">Get help now</a></li><li><a href="/plan/">My plan</a></li>' +
  '<li><a href="/safety-plan/">My safety plan</a></li>' +
  '<li><a href="/coping/">Coping tools</a></li></ul>';

function isKept(pathname) {
  return KEPT_PAGES.indexOf(pathname) !== -1 || KEPT_PREFIXES.some(function (prefix) {
    return pathname.indexOf(prefix) === 0;
  });
}

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
    "<h1>You're offline</h1><p>This page needs a connection. These work without one, " +
    "once you have opened Waymark online while signed in:</p>" + WORKS_OFFLINE +
    helpNow(help) +
    '<p><a class="button danger" href="/help/">Get help now</a></p></main></body></html>';
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
    keepFetched("/help/"),
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
// Whose responses the worker saw last (undefined until it has seen one since it started).
var lastKey;

function isPagesCache(name) { return name.indexOf(PAGES_PREFIX) === 0; }

// Drop every person's kept pages but those of `key` (all of them when key is null).
function dropPagesExcept(key) {
  return caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return isPagesCache(name) && name !== PAGES_PREFIX + key;
    }).map(function (name) { return caches.delete(name); }));
  });
}

// Every response from the server says whose it is: nobody's (signed out, session ended) or
// another person's drops what was kept for anyone else. Opaque redirects carry no headers.
// Only a request started after the one that last spoke may change whose it is: a slow
// response sent while the old session still held (a page being kept when the session
// ended) must not bring that person's key, and their pages, back.
var requestSeq = 0, lastSeq = 0;

function observe(response, seq) {
  if (response.type !== "basic") { return Promise.resolve(); }
  if (seq < lastSeq) { return dropPagesExcept(lastKey); }
  lastSeq = seq;
  lastKey = response.headers.get(KEY_HEADER);
  if (!lastKey) { warmedFor = undefined; }  // the next person to sign in gets theirs kept
  return dropPagesExcept(lastKey);
}

function keepIfSameGeneration(request, response, since) {
  var key = response.headers.get(KEY_HEADER);
  if (since !== generation || !response.ok || response.redirected || !key) {
    return Promise.resolve();
  }
  var seconds = Number(response.headers.get(EXPIRES_HEADER)) || 0;
  var headers = new Headers(response.headers);
  headers.set(KEPT_UNTIL_HEADER, String(Date.now() + seconds * 1000));
  return response.blob().then(function (body) {
    var copy = new Response(body, { status: response.status, statusText: response.statusText,
      headers: headers });
    if (since !== generation || key !== lastKey) { return undefined; }
    return caches.open(PAGES_PREFIX + key).then(function (cache) {
      return since === generation ? cache.put(request, copy) : undefined;
    }).then(function () {
      // Someone else's response arrived meanwhile: this copy must not outlive it.
      return key === lastKey ? undefined : caches.delete(PAGES_PREFIX + key);
    });
  });
}

function keepFetched(url) {
  var since = generation, seq = ++requestSeq;
  return fetch(url, { credentials: "same-origin" }).then(function (response) {
    return observe(response, seq).then(function () {
      return keepIfSameGeneration(url, response, since);
    });
  }).catch(function () {});
}

// The signed-in person's crisis help, kept again whenever a kept page loads from the network.
function keepCrisisHelp() { return keepFetched(CRISIS_URL); }

// Whose pages that matter were kept since the worker started: once per person, the first
// time one of their pages loads online, so those pages work offline after one visit.
var warmedFor;

function keepPagesThatMatter(request) {
  var url = new URL(request.url);
  if (!lastKey || warmedFor === lastKey) { return Promise.resolve(); }
  warmedFor = lastKey;
  return Promise.all(WARM_PAGES.filter(function (path) {
    return path !== url.pathname;
  }).map(keepFetched));
}

// The kept copy of `request` for the person seen last, unless their session has ended.
function keptPage(request) {
  return caches.keys().then(function (names) {
    var mine = names.filter(isPagesCache).filter(function (name) {
      return lastKey === undefined || name === PAGES_PREFIX + lastKey;
    });
    if (mine.length !== 1) { return null; }
    return caches.open(mine[0]).then(function (cache) {
      return cache.match(request, { ignoreSearch: true });
    });
  }).then(function (kept) {
    if (!kept) { return null; }
    if (Number(kept.headers.get(KEPT_UNTIL_HEADER)) > Date.now()) { return kept; }
    return dropPagesExcept(null).then(function () { return null; });
  }).catch(function () { return null; });
}

function keptCrisisHelp() {
  return keptPage(CRISIS_URL)
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
  var since = generation, seq = ++requestSeq;
  return fetch(request).then(function (response) {
    var seen = observe(response, seq);
    if (response.ok && !response.redirected && isKept(url.pathname)) {
      var copy = response.clone();
      seen.then(function () { return keepIfSameGeneration(request, copy, since); })
        .then(keepCrisisHelp);
    }
    if (response.ok && response.headers.get(KEY_HEADER)) {
      seen.then(function () { return keepPagesThatMatter(request); });
    }
    return response;
  }, function () {
    return keptPage(request).then(function (kept) {
      return kept || (url.pathname === "/" ? keptPage("/me/") : null);
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
    warmedFor = undefined;
    event.waitUntil(dropPagesExcept(null));
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
