/*
 * payverify's Freshdesk ticket sidebar: asks the backend for a short-lived session
 * (request template createSession, which carries the secure install_secret iparam
 * server-side) and opens the backend's sidebar page with it. No secret reaches this page.
 * Request method: https://developers.freshworks.com/docs/app-sdk/v3.0/support_ticket/advanced-interfaces/request-method/
 */
(function () {
  'use strict';

  var SIDEBAR_PATH = '{{payverify.backend_path}}/sidebar';
  var statusLine = document.getElementById('payverify-status');
  var frame = document.getElementById('payverify-frame');

  function showError(message) {
    statusLine.textContent = message;
    statusLine.className = 'status error';
    frame.hidden = true;
  }

  function sidebarUrl(session, host) {
    // The backend names its own page; anything off the configured host is refused.
    var base = 'https://' + host;
    var url = session.sidebar_url || base + SIDEBAR_PATH;
    if (url.indexOf(base + '/') !== 0) {
      throw new Error('the backend answered with a sidebar on another host');
    }
    var separator = url.indexOf('?') === -1 ? '?' : '&';
    return session.sidebar_url ? url : url + separator + 'session=' + encodeURIComponent(session.token);
  }

  function openSidebar(client) {
    statusLine.textContent = 'Opening payment verification…';
    Promise.all([
      client.data.get('ticket'),
      client.data.get('loggedInUser'),
      client.iparams.get('backend_host')
    ]).then(function (answers) {
      var ticket = answers[0].ticket;
      var agent = answers[1].loggedInUser;
      var host = answers[2].backend_host;
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
        frame.src = sidebarUrl(session, host);
        frame.hidden = false;
        statusLine.hidden = true;
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
