// Starts GraphiQL on Tindak's page: one tab per ready-made operation on a first visit, and
// the Authorization header pasted once remembered for every tab, in this browser only.
(function () {
  "use strict";

  var KEY = "tindak:authorization";
  var mount = document.getElementById("graphiql");
  var endpoint = new URL(mount.getAttribute("data-endpoint") || "graphql", location.href).href;
  var http = GraphiQL.createFetcher({ url: endpoint });
  var root = ReactDOM.createRoot(mount);

  function remembered() {
    try {
      return localStorage.getItem(KEY) || "";
    } catch (e) {
      return "";
    }
  }

  function remember(value) {
    try {
      localStorage.setItem(KEY, value);
    } catch (e) {
      // Storage is off (private window): the header is sent from the tab as typed.
    }
  }

  // A real `Bearer <token>`, not the placeholder from the instructions.
  function usable(value) {
    return /^Bearer\s+[^\s<>]+$/i.test(value);
  }

  // Every request carries the remembered token unless the tab names one of its own.
  function fetcherFor() {
    return function (params, options) {
      var headers = Object.assign({}, (options && options.headers) || {});
      var typed = null;
      Object.keys(headers).forEach(function (name) {
        if (name.toLowerCase() === "authorization") {
          typed = String(headers[name] || "").trim();
          delete headers[name];
        }
      });
      if (typed && usable(typed)) {
        headers.Authorization = typed;
      } else if (remembered()) {
        headers.Authorization = remembered();
      }
      return http(params, Object.assign({}, options, { headers: headers }));
    };
  }

  // A token typed or pasted into any tab's Headers is remembered once the server accepts
  // it, so that the other tabs and the schema (the docs explorer) use it without being run
  // first. Checked after a pause in typing, once per token.
  var pause = null;
  var tried = "";
  function headersEdited(text) {
    clearTimeout(pause);
    pause = setTimeout(function () {
      adopt(text);
    }, 400);
  }

  function adopt(text) {
    var value = null;
    try {
      var parsed = JSON.parse(text || "{}");
      Object.keys(parsed).forEach(function (name) {
        if (name.toLowerCase() === "authorization") value = String(parsed[name] || "").trim();
      });
    } catch (e) {
      return; // still being typed
    }
    if (!value || !usable(value) || value === remembered() || value === tried) return;
    tried = value;
    fetch(endpoint, {
      method: "POST",
      headers: { "content-type": "application/json", Authorization: value },
      body: JSON.stringify({ query: "{ __typename }" }),
    })
      .then(function (answer) {
        if (answer.ok) {
          remember(value);
          render(current + 1);
        }
      })
      .catch(function () {});
  }

  var current = 0;
  function render(generation) {
    current = generation;
    var tabs = (window.TINDAK_OPERATIONS || []).map(function (op) {
      return { query: op.query, variables: op.variables || null };
    });
    root.render(
      React.createElement(GraphiQL, {
        fetcher: fetcherFor(),
        defaultTabs: tabs,
        shouldPersistHeaders: true,
        onEditHeaders: headersEdited,
        defaultEditorToolsVisibility: remembered() ? "variables" : "headers",
      })
    );
  }

  render(0);
})();
