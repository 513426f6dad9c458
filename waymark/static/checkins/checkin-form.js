/* Waymark pages: register the service worker, keep a check-in made offline in the outbox,
 * and send what is waiting when the phone is back online.
 *
 * Without JavaScript (or online) the check-in form is a plain POST; this only steps in
 * when the phone says it is offline.
 */
(function () {
  "use strict";

  var outbox = window.WaymarkOutbox;
  var status = document.getElementById("outbox-status");
  var user = status ? status.getAttribute("data-user") : null;
  var REQUIRED = { craving: "Craving", mood: "Mood", sleep_hours: "Hours of sleep",
    sleep_quality: "How well you slept", stress: "Stress", safety: "The safety question" };

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () { /* optional */ });
  }
  if (!outbox || !status || !user) { return; }

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function show(nodes) {
    status.textContent = "";
    nodes.forEach(function (node) { status.appendChild(node); });
    status.hidden = nodes.length === 0;
  }

  function paragraph(text, link, href) {
    var p = document.createElement("p");
    p.textContent = text;
    if (link) {
      var a = document.createElement("a");
      a.href = href;
      a.textContent = link;
      p.appendChild(document.createTextNode(" "));
      p.appendChild(a);
    }
    return p;
  }

  function refusedNode(item) {
    var p = paragraph("We couldn't add your check-in for " + item.body.date + ": " + item.message + " ");
    var dismiss = document.createElement("button");
    dismiss.type = "button";
    dismiss.className = "link";
    dismiss.textContent = "Dismiss";
    dismiss.addEventListener("click", function () { outbox.remove(item.key).then(render); });
    p.appendChild(dismiss);
    return p;
  }

  function render(extra) {
    return outbox.pending(user).then(function (items) {
      var nodes = (extra || []).slice();
      var waiting = items.filter(function (item) { return item.state === outbox.WAITING; });
      if (waiting.length) {
        nodes.push(paragraph(waiting.length === 1
          ? "1 check-in is saved on this phone and will be sent when you're back online."
          : waiting.length + " check-ins are saved on this phone and will be sent when you're back online."));
      }
      items.filter(function (item) { return item.state === outbox.REFUSED; }).forEach(function (item) {
        nodes.push(refusedNode(item));
      });
      show(nodes);
    });
  }

  function sendWaiting() {
    if (navigator.onLine === false) { return render(); }
    return outbox.flush(user, csrfToken()).then(function (outcomes) {
      // One line per day: a double tap (or an edit) queued twice is one check-in sent.
      var days = {};
      var sent = outcomes.filter(function (o) {
        if (o.outcome !== "sent" || days[o.item.body.date]) { return false; }
        days[o.item.body.date] = true;
        return true;
      }).map(function (o) {
        return paragraph("Your check-in for " + o.item.body.date + " has been sent. Thank you.",
          "See it", "/checkin/" + o.item.body.date + "/");
      });
      return render(sent);
    });
  }

  function missingAnswers(data) {
    return Object.keys(REQUIRED).filter(function (name) { return !data.get(name); })
      .map(function (name) { return REQUIRED[name]; });
  }

  var form = document.querySelector("form[data-outbox=checkin]");
  if (form) {
    // A page the service worker kept may be reused for a new check-in: give it its own key.
    form.elements.idempotency_key.value = outbox.uuid4();
    form.addEventListener("submit", function (event) {
      if (navigator.onLine !== false) { return; }  // online: the ordinary form post
      event.preventDefault();
      var data = new FormData(form);
      var missing = missingAnswers(data);
      if (missing.length) {
        show([paragraph("Please answer: " + missing.join(", ") + ".")]);
        return;
      }
      var body = outbox.checkinFromForm(data);
      outbox.queue(form.getAttribute("data-api-url"), body, user, csrfToken()).then(function () {
        form.elements.idempotency_key.value = outbox.uuid4();  // a further change is a new submission
        var crisis = document.getElementById("offline-crisis");
        if (crisis && body.safety_concern) { crisis.hidden = false; crisis.scrollIntoView(); }
        return render([paragraph("You're offline, so your check-in is saved on this phone. " +
          "It will be sent as soon as you're back online — keep Waymark open, or open it again later.")]);
      }).then(function () { if (!body.safety_concern) { status.scrollIntoView(); } });
    });
  }

  // "Talk to staff now" cannot wait in an outbox: say so at once, and what to do instead.
  document.querySelectorAll("form[data-needs-connection]").forEach(function (urgent) {
    urgent.addEventListener("submit", function (event) {
      if (navigator.onLine !== false) { return; }
      event.preventDefault();
      show([paragraph(urgent.getAttribute("data-needs-connection"))]);
      status.scrollIntoView();
    });
  });

  window.addEventListener("online", sendWaiting);
  window.addEventListener("offline", function () { render(); });
  window.setInterval(sendWaiting, 60000);
  sendWaiting();
})();
