/* A Freshworks-like app client for tests, served by freshworks_platform.py where the FDK serves
 * fresh_client.js: the global `app`, and the `client` our app page (manifest/freshdesk/app)
 * uses. Product calls (data, iparams, interface, instance) go to the host page
 * (freshworks_host.html) by postMessage and are recorded there; request templates run on the
 * platform server (POST /invoke/NAME), which adds the secure iparams, as Freshworks does.
 */
(function () {
  "use strict";
  var seq = 0, pending = {};
  window.addEventListener("message", function (event) {
    var m = event.data;
    if (event.source === window.parent && m && m.fwShim && pending[m.id]) {
      var settle = pending[m.id];
      delete pending[m.id];
      settle(m);
    }
  });
  function ask(kind, name, args) {
    return new Promise(function (resolve, reject) {
      var id = ++seq;
      pending[id] = function (m) { if (m.error) { reject(m.error); } else { resolve(m.result); } };
      window.parent.postMessage({ fwShim: true, id: id, kind: kind, name: name, args: args }, "*");
    });
  }
  function invokeTemplate(name, options) {
    window.parent.postMessage({ fwShim: true, id: 0, kind: "request", name: name, args: [] }, "*");
    return fetch("/invoke/" + encodeURIComponent(name), { method: "POST", body: JSON.stringify(options || {}) })
      .then(function (response) { return response.json(); })
      .then(function (answer) {
        // Freshworks rejects the promise with the same shape when the status is not 2xx.
        if (answer.status >= 400) { throw answer; }
        return answer;
      });
  }
  var client = {
    data: { get: function (name) { return ask("data", name, []); } },
    iparams: { get: function (name) { return ask("iparams", name, []); } },
    events: {
      on: function (name, callback) { if (name === "app.activated") { setTimeout(callback, 0); } }
    },
    interface: { trigger: function (action, options) { return ask("interface", action, [options]); } },
    instance: { resize: function (size) { return ask("instance", "resize", [size]); } },
    request: { invokeTemplate: invokeTemplate }
  };
  window.app = { initialized: function () { return Promise.resolve(client); } };
})();
