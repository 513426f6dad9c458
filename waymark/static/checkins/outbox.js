/* Waymark offline outbox.
 *
 * A check-in made without a connection is kept on the phone (IndexedDB) and sent to the
 * JSON API when the phone is back online, with the idempotency key it was made with, so a
 * retry can never store it twice. Items belong to the person who made them: they are only
 * sent while that person is signed in. Used by the pages and by the service worker.
 */
(function (scope) {
  "use strict";

  var DB_NAME = "waymark-outbox";
  var STORE = "items";
  var WAITING = "waiting";
  var REFUSED = "refused";

  function openDb() {
    return new Promise(function (resolve, reject) {
      var request = scope.indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore(STORE, { keyPath: "key" });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function withStore(mode, work) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var transaction = db.transaction(STORE, mode);
        var request = work(transaction.objectStore(STORE));
        transaction.oncomplete = function () { db.close(); resolve(request ? request.result : undefined); };
        transaction.onerror = transaction.onabort = function () { db.close(); reject(transaction.error); };
      });
    });
  }

  function put(item) { return withStore("readwrite", function (store) { return store.put(item); }); }
  function remove(key) { return withStore("readwrite", function (store) { return store.delete(key); }); }
  function all() { return withStore("readonly", function (store) { return store.getAll(); }); }

  function uuid4() {
    if (scope.crypto && scope.crypto.randomUUID) { return scope.crypto.randomUUID(); }
    var bytes = scope.crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  function whole(value) {
    var number = parseInt(value, 10);
    return isNaN(number) ? null : number;
  }

  /* The check-in form's fields (FormData) as the API's JSON body. */
  function checkinFromForm(data) {
    var body = {
      idempotency_key: data.get("idempotency_key"),
      date: data.get("date"),
      craving: whole(data.get("craving")),
      mood: whole(data.get("mood")),
      sleep_hours: data.get("sleep_hours") || null,
      sleep_quality: whole(data.get("sleep_quality")),
      stress: whole(data.get("stress")),
      safety_concern: data.get("safety") === "yes",
      uses: [],
      triggers: data.getAll("triggers"),
      habits: data.getAll("habits"),
      meetings: data.getAll("meetings"),
      symptoms: data.getAll("symptoms"),
      note: data.get("note") || "",
      completed_at: new Date().toISOString()
    };
    data.forEach(function (value, name) {
      if (name.indexOf("use_") === 0 && value) {
        var substance = name.slice(4);
        var use = { substance: substance, amount: String(data.get("amount_" + substance) || "").trim() };
        if (data.get("prescribed_" + substance)) { use.as_prescribed = true; }
        body.uses.push(use);
      }
    });
    return body;
  }

  function queue(url, body, user, csrf) {
    var item = {
      key: body.idempotency_key, url: url, body: body, user: String(user), csrf: csrf || "",
      state: WAITING, queuedAt: new Date().toISOString(), message: ""
    };
    return put(item).then(function () { return item; });
  }

  // The API's one error shape: {code, message, errors: {field: [messages]}}.
  function describe(detail) {
    if (!detail) { return "it was not accepted."; }
    if (typeof detail === "object") {
      return Object.keys(detail).map(function (field) { return [].concat(detail[field]).join(" "); }).join(" ");
    }
    return String(detail);
  }

  function send(item, csrf) {
    return scope.fetch(item.url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf || item.csrf },
      body: JSON.stringify(item.body)
    }).then(function (response) {
      if (response.ok) {
        return response.json().catch(function () { return {}; }).then(function (saved) {
          return remove(item.key).then(function () { return { item: item, outcome: "sent", saved: saved }; });
        });
      }
      if (response.status === 409 || response.status === 422) {
        return response.json().catch(function () { return {}; }).then(function (error) {
          item.state = REFUSED;
          item.message = error.message || describe(error.errors);
          return put(item).then(function () { return { item: item, outcome: "refused" }; });
        });
      }
      return { item: item, outcome: "later" };  // signed out, server trouble: keep it
    }, function () {
      return { item: item, outcome: "later" };  // still no connection
    });
  }

  var flushing = null;

  /* Send every waiting item of `user`, one after another; resolves to their outcomes. */
  function flush(user, csrf) {
    if (flushing) { return flushing; }
    flushing = all().then(function (items) {
      var mine = items.filter(function (item) { return item.user === String(user) && item.state === WAITING; });
      var outcomes = [];
      return mine.reduce(function (done, item) {
        return done.then(function () { return send(item, csrf).then(function (outcome) { outcomes.push(outcome); }); });
      }, Promise.resolve()).then(function () { return outcomes; });
    }).finally(function () { flushing = null; });
    return flushing;
  }

  function pending(user) {
    return all().then(function (items) {
      return items.filter(function (item) { return item.user === String(user); });
    });
  }

  scope.WaymarkOutbox = {
    uuid4: uuid4, checkinFromForm: checkinFromForm, queue: queue, flush: flush,
    pending: pending, remove: remove, WAITING: WAITING, REFUSED: REFUSED
  };
})(typeof self !== "undefined" ? self : window);
