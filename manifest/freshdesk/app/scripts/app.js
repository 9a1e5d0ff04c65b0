/*
 * payverify's Freshdesk ticket sidebar. It asks the backend for a short-lived session
 * (request template createSession, which carries the secure install_secret iparam
 * server-side), opens the backend's sidebar page in a frame, and is that page's bridge to
 * the Freshworks client: the sidebar loads no Freshworks code, so it asks this page, by
 * postMessage, to insert the reply into the editor and to resize. No secret reaches this page.
 * Request method: https://developers.freshworks.com/docs/app-sdk/v3.0/support_ticket/advanced-interfaces/request-method/
 * Interface method (setValue on the editor, click openReply): https://developers.freshworks.com/docs/app-sdk/v3.0/support_ticket/front-end-apps/interface-methods/
 * Instance method (resize, up to 700px): https://developers.freshworks.com/docs/app-sdk/v3.0/support_ticket/front-end-apps/instance-method/
 */
(function () {
  'use strict';

  var SIDEBAR_PATH = '{{payverify.backend_path}}/sidebar';
  var MIN_HEIGHT = 160;
  var MAX_HEIGHT = 700; // the most the Freshworks instance method allows
  var MAX_REPLY_CHARS = 200000;
  var statusLine = document.getElementById('payverify-status');
  var frame = document.getElementById('payverify-frame');
  var bridge = { client: null, origin: null };

  function showError(message) {
    statusLine.textContent = message;
    statusLine.className = 'status error';
    statusLine.hidden = false;
    frame.hidden = true;
  }

  function sidebarUrl(session, origin) {
    return origin + SIDEBAR_PATH + '?host=freshdesk&session=' + encodeURIComponent(session.token);
  }

  // Only our sidebar frame, on the configured backend's origin, with a well-formed message.
  function fromSidebar(event) {
    var m = event.data;
    return bridge.origin !== null && event.origin === bridge.origin &&
      event.source === frame.contentWindow && m !== null && typeof m === 'object' &&
      typeof m.type === 'string';
  }

  function answer(message) {
    frame.contentWindow.postMessage(message, bridge.origin);
  }

  function insert(client, m) {
    if (typeof m.id !== 'number' || typeof m.html !== 'string' || m.html.length > MAX_REPLY_CHARS) {
      return;
    }
    client.interface.trigger('setValue', { id: 'editor', text: m.html, replace: false })
      .catch(function () {
        // No reply editor open yet: open one with the reply in it.
        return client.interface.trigger('click', { id: 'openReply', text: m.html });
      })
      .then(function () {
        answer({ type: 'payverify:inserted', id: m.id, ok: true });
      }, function (error) {
        var why = error && error.message ? error.message : 'the editor is not available';
        answer({ type: 'payverify:inserted', id: m.id, ok: false, error: why });
      });
  }

  function resize(client, m) {
    if (typeof m.height !== 'number' || !isFinite(m.height)) {
      return;
    }
    var height = Math.min(Math.max(Math.round(m.height), MIN_HEIGHT), MAX_HEIGHT);
    frame.style.height = height + 'px';
    client.instance.resize({ height: height + 'px' });
  }

  window.addEventListener('message', function (event) {
    if (!fromSidebar(event) || bridge.client === null) {
      return;
    }
    if (event.data.type === 'payverify:insert') {
      insert(bridge.client, event.data);
    } else if (event.data.type === 'payverify:resize') {
      resize(bridge.client, event.data);
    }
  });

  // Tell the sidebar who its parent is once it has loaded; it answers nobody else.
  frame.addEventListener('load', function () {
    if (bridge.origin !== null && !frame.hidden) {
      frame.contentWindow.postMessage({ type: 'payverify:hello', version: 1 }, bridge.origin);
    }
  });

  function openSidebar(client) {
    statusLine.textContent = 'Opening payment verification…';
    Promise.all([
      client.data.get('ticket'),
      client.data.get('loggedInUser'),
      client.iparams.get('backend_host')
    ]).then(function (answers) {
      var ticket = answers[0].ticket;
      var agent = answers[1].loggedInUser;
      var origin = 'https://' + answers[2].backend_host;
      return client.request.invokeTemplate('createSession', {
        body: JSON.stringify({
          ticket_id: String(ticket.id),
          agent_email: agent && agent.contact ? agent.contact.email : null,
          agent_language: agent && agent.contact ? agent.contact.language : null
        })
      }).then(function (response) {
        var session = JSON.parse(response.response);
        if (!session.token) {
          throw new Error('the backend did not return a session');
        }
        bridge.client = client;
        bridge.origin = origin;
        frame.hidden = false;
        statusLine.hidden = true;
        frame.src = sidebarUrl(session, origin);
      });
    }).catch(function (error) {
      var status = error && error.status ? ' (HTTP ' + error.status + ')' : '';
      showError('payverify is not reachable' + status + ': ' + (error.message || 'check the app settings'));
    });
  }

  app.initialized().then(function (client) {
    client.events.on('app.activated', function () {
      openSidebar(client);
    });
  }).catch(function () {
    showError('The Freshworks app client did not start.');
  });
}());
