/* A ZAF-like SDK for tests: served instead of zaf_sdk.min.js inside the sidebar frame.
 * Like the real SDK it talks to the host page with postMessage; zaf_host.html answers.
 * Calls used by the sidebar: client.get(path), client.invoke(name, ...args), client.context().
 */
(function () {
  "use strict";
  var seq = 0, pending = {};
  window.addEventListener("message", function (event) {
    var m = event.data;
    if (event.source === window.parent && m && m.zafShim && pending[m.id]) {
      var settle = pending[m.id];
      delete pending[m.id];
      settle(m);
    }
  });
  function ask(kind, name, args) {
    return new Promise(function (resolve, reject) {
      var id = ++seq;
      pending[id] = function (m) { if (m.error) { reject(new Error(m.error)); } else { resolve(m.result); } };
      window.parent.postMessage({ zafShim: true, id: id, kind: kind, name: name, args: args }, "*");
    });
  }
  window.ZAFClient = {
    init: function () {
      if (window.parent === window) { return false; }
      return {
        get: function (path) { return ask("get", path, []); },
        invoke: function (name) { return ask("invoke", name, Array.prototype.slice.call(arguments, 1)); },
        context: function () { return ask("context", "", []); }
      };
    }
  };
})();
