/* A Freshworks-like app client for tests: served instead of fresh_client.js in the sidebar.
 * app.initialized() -> client; client.data.get("ticket"); client.interface.trigger(...);
 * each call goes to freshworks_host.html by postMessage and is recorded there.
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
  var client = {
    data: { get: function (name) { return ask("data", name, []); } },
    interface: { trigger: function (action, options) { return ask("interface", action, [options]); } },
    instance: { resize: function (size) { return ask("instance", "resize", [size]); } },
    request: { invokeTemplate: function (name, options) { return ask("request", name, [options]); } }
  };
  window.app = { initialized: function () { return Promise.resolve(client); } };
})();
