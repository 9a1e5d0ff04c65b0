/* The Freshdesk bridge: this page runs framed by our Freshworks app page (manifest/freshdesk/app),
 * which holds the Freshworks client; this page loads none. They talk by postMessage, plain objects:
 *
 *   app page -> sidebar  {type: "payverify:hello", version: 1}          once our frame has loaded
 *   sidebar -> app page  {type: "payverify:insert", id: 1, html: "..."}  put the reply in the editor
 *                        {type: "payverify:resize", height: 640}         fit the frame to the content
 *   app page -> sidebar  {type: "payverify:inserted", id: 1, ok: true}   (or ok: false, error: "...")
 *
 * A message counts only when it comes from window.parent, on an origin of the page's
 * frame-ancestors list (the one the CSP header enforces), and it is well formed; the first hello
 * fixes the parent's origin and every message we send goes to that origin only, never to "*".
 * https://developer.mozilla.org/en-US/docs/Web/API/Window/postMessage#security_concerns
 */
(function () {
  "use strict";
  var SOURCE = /^(https?):\/\/(\*\.)?([a-z0-9-]+(?:\.[a-z0-9-]+)*)(?::(\d{1,5}))?$/;
  var PORTS = { https: "443", http: "80" };
  var HELLO_WAIT_MS = 5000, ANSWER_WAIT_MS = 10000;

  // The same matching as CSP host-sources (and plugin/web/sidebar.py's origin_allowed).
  function originAllowed(origin, sources) {
    var o = SOURCE.exec(String(origin).toLowerCase());
    if (!o || o[2]) { return false; }
    return sources.some(function (source) {
      var s = SOURCE.exec(source);
      if (!s || s[1] !== o[1] || (s[4] || PORTS[s[1]]) !== (o[4] || PORTS[o[1]])) { return false; }
      return s[2] ? o[3].slice(-(s[3].length + 1)) === "." + s[3] : o[3] === s[3];
    });
  }

  function isMessage(m) {
    return m !== null && typeof m === "object" && typeof m.type === "string" && m.type.indexOf("payverify:") === 0;
  }

  function connect(allowed) {
    var parentOrigin = null, seq = 0, pending = {}, lastHeight = null, helloWaiters = [];
    var ancestors = window.location.ancestorOrigins;  // Chromium and Safari: the browser's own view

    function post(message) { window.parent.postMessage(message, parentOrigin); }

    window.addEventListener("message", function (event) {
      var m = event.data;
      if (event.source !== window.parent || window.parent === window || !isMessage(m)) { return; }
      if (!originAllowed(event.origin, allowed)) { return; }
      if (m.type === "payverify:hello") {
        if (parentOrigin !== null || (ancestors && ancestors.length && ancestors[0] !== event.origin)) { return; }
        parentOrigin = event.origin;
        if (lastHeight !== null) { post({ type: "payverify:resize", height: lastHeight }); }
        helloWaiters.splice(0).forEach(function (wake) { wake(); });
      } else if (m.type === "payverify:inserted" && event.origin === parentOrigin && pending[m.id]) {
        var settle = pending[m.id];
        delete pending[m.id];
        settle(m.ok === true ? null : new Error(typeof m.error === "string" ? m.error : "the editor refused the reply"));
      }
    });

    function connected() {
      if (parentOrigin !== null) { return Promise.resolve(); }
      return new Promise(function (resolve, reject) {
        helloWaiters.push(resolve);
        setTimeout(function () { reject(new Error("the payverify Freshdesk app did not answer; reload the app")); }, HELLO_WAIT_MS);
      });
    }

    return {
      insert: function (html) {
        return connected().then(function () {
          return new Promise(function (resolve, reject) {
            var id = ++seq;
            pending[id] = function (error) { if (error) { reject(error); } else { resolve(); } };
            post({ type: "payverify:insert", id: id, html: String(html) });
            setTimeout(function () {
              if (pending[id]) { delete pending[id]; reject(new Error("the Freshdesk editor did not answer")); }
            }, ANSWER_WAIT_MS);
          });
        });
      },
      // Until the hello arrives only the latest height is kept, then sent.
      resize: function (height) {
        lastHeight = Math.round(height);
        if (parentOrigin !== null) { post({ type: "payverify:resize", height: lastHeight }); }
      }
    };
  }

  window.PayverifyBridge = { connect: connect, originAllowed: originAllowed };
})();
