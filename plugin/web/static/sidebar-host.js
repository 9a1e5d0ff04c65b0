/* The sidebar's hosts: Zendesk (ZAF client), Freshdesk (our Freshworks app page) or none.
 *
 * Each host answers the same four questions for sidebar.js: which ticket is open, how to get a
 * ticket-scoped session token, how to put the reply into the agent's editor, and how tall the
 * frame should be. No secret ever reaches this code: the page carries a short-lived session
 * token issued by the server, or asks the server for one through the host.
 */
(function () {
  "use strict";

  function jsonOrThrow(response) {
    return response.json().catch(function () { return {}; }).then(function (body) {
      if (!response.ok) {
        throw new Error(body.error || ("HTTP " + response.status));
      }
      return body;
    });
  }

  // A Zendesk signed-URL session belongs to the installation and the agent, not yet to a ticket:
  // the server re-checks the ticket through the helpdesk and returns a session scoped to it.
  function ticketSession(installationToken, ticketId) {
    return fetch("/api/session/ticket", {
      method: "POST",
      headers: {
        "Authorization": "Bearer " + installationToken,
        "Content-Type": "application/json"
      },
      body: JSON.stringify({ ticket_id: String(ticketId) })
    }).then(jsonOrThrow).then(function (body) { return body.token; });
  }

  // https://developer.zendesk.com/api-reference/apps/apps-core-api/client_api/
  function zendesk(page) {
    if (typeof window.ZAFClient === "undefined") {
      return Promise.reject(new Error("The Zendesk app SDK did not load."));
    }
    var client = window.ZAFClient.init();
    if (!client) {
      return Promise.reject(new Error("Open this page from the Zendesk ticket sidebar."));
    }
    return client.get("ticket.id").then(function (data) {
      var ticketId = String(data["ticket.id"]);
      return {
        kind: "zendesk",
        ticketId: ticketId,
        session: function () {
          if (page.session && page.ticketId === ticketId) { return Promise.resolve(page.session); }
          if (!page.session) { return Promise.reject(new Error("The Zendesk signed URL was not verified.")); }
          return ticketSession(page.session, ticketId);
        },
        insertReply: function (reply) { return client.invoke("ticket.editor.insert", reply.html); },
        resize: function (height) { client.invoke("resize", { width: "100%", height: height + "px" }); }
      };
    });
  }

  // Freshdesk: our Freshworks app page (manifest/freshdesk/app) obtained the session through its
  // request template and framed this page; it holds the Freshworks client and does the editor
  // calls for us over the bridge (sidebar-bridge.js).
  function freshdesk(page) {
    if (window.parent === window) {
      return Promise.reject(new Error("Open this page from the payverify app in a Freshdesk ticket."));
    }
    if (!page.ticketId || !page.session) {
      return Promise.reject(new Error("The Freshdesk session is missing: reopen the ticket."));
    }
    var allowed = (document.body.dataset.frameAncestors || "").split(/\s+/).filter(Boolean);
    var bridge = window.PayverifyBridge.connect(allowed);
    return Promise.resolve({
      kind: "freshdesk",
      ticketId: page.ticketId,
      session: function () { return Promise.resolve(page.session); },
      insertReply: function (reply) { return bridge.insert(reply.html); },
      resize: function (height) { bridge.resize(height); }
    });
  }

  // Standalone (the demo): the "editor" is a textarea on the page itself.
  function standalone(page) {
    if (!page.ticketId) { return Promise.reject(new Error("No ticket given.")); }
    return Promise.resolve({
      kind: "standalone",
      ticketId: page.ticketId,
      session: function () {
        if (!page.session) { return Promise.reject(new Error("No session: open the sidebar from the demo page.")); }
        return Promise.resolve(page.session);
      },
      insertReply: function (reply) {
        var editor = document.getElementById("pv-editor");
        editor.value = reply.text;
        editor.hidden = false;
        document.getElementById("pv-editor-box").hidden = false;
        return Promise.resolve();
      },
      resize: function () {}
    });
  }

  window.PayverifyHost = {
    connect: function (page) {
      var hosts = { zendesk: zendesk, freshdesk: freshdesk, standalone: standalone };
      return (hosts[page.host] || standalone)(page);
    },
    jsonOrThrow: jsonOrThrow
  };
})();
