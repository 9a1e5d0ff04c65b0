/* The demo page: "Fire trigger" posts a ticket's trigger, then waits for its new verdict. */
(function () {
  "use strict";
  var live = document.getElementById("pv-live");

  function say(text, ok) {
    live.textContent = text;
    live.className = "pv-live " + (ok ? "pv-live--ok" : "pv-live--error");
  }

  function call(method, path, token) {
    return fetch(path, { method: method, headers: { "Authorization": "Bearer " + token } }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        if (!response.ok) { throw new Error(body.error || ("HTTP " + response.status)); }
        return body;
      });
    });
  }

  function verification(row) {
    return call("GET", "/api/tickets/" + encodeURIComponent(row.dataset.ticket) + "/verification", row.dataset.token);
  }

  // Which verification this is: a new one has another stamp.
  function stampOf(body) { return body ? String(body.verification_id || body.verified_at || body.created_at || "") : null; }

  // The pipeline runs on the job queue: poll the ticket's verification until a new one lands.
  function waitForVerdict(row, before, deadline) {
    return verification(row).then(function (body) {
      if (stampOf(body) !== before) { return body.decision || body; }
      throw new Error("pending");
    }).catch(function () {
      if (Date.now() > deadline) { throw new Error("no new verdict after 20 s (is the worker running?)"); }
      return new Promise(function (resolve) { setTimeout(resolve, 300); }).then(function () {
        return waitForVerdict(row, before, deadline);
      });
    });
  }

  // The row as the server renders it (demo.html): verdict, scenario under it, language.
  function showVerdict(row, decision) {
    var cell = row.querySelector(".pv-verdict-cell"), name = document.createElement("span");
    name.className = "pv-verdict-name";
    name.textContent = decision.verdict || "not a payment claim";
    cell.replaceChildren(name);
    if (decision.scenario) {
      var scenario = document.createElement("span");
      scenario.className = "pv-muted";
      scenario.textContent = decision.scenario;
      cell.append(document.createElement("br"), scenario);
    }
    var lang = row.querySelector(".pv-lang");
    if (lang && decision.language) { lang.textContent = decision.language; lang.lang = decision.language; }
  }

  document.querySelectorAll("tr[data-ticket]").forEach(function (row) {
    var button = row.querySelector(".pv-fire"), cell = row.querySelector(".pv-verdict-cell");
    button.addEventListener("click", function () {
      if (button.disabled) { return; }
      button.disabled = true;
      var id = row.dataset.ticket;
      var before = null;
      cell.textContent = "verifying…";
      verification(row).then(function (body) { before = stampOf(body); }, function () { before = null; }).then(function () {
        return call("POST", "/api/demo/tickets/" + encodeURIComponent(id) + "/trigger", row.dataset.token);
      }).then(function () {
        say("Trigger for ticket " + id + " accepted; the pipeline is running.", true);
        return waitForVerdict(row, before, Date.now() + 20000);
      }).then(function (decision) {
        showVerdict(row, decision);
        say("Ticket " + id + ": " + (decision.verdict || "not a payment claim") + ".", true);
      }).catch(function (error) {
        cell.textContent = "error";
        say("Ticket " + id + ": " + error.message, false);
      }).then(function () { button.disabled = false; });
    });
  });
})();
