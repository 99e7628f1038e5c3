// Vmeste Mini App: signs every request with Telegram's initData (sent in
// the X-Telegram-Init-Data header, never in a URL or a cookie), applies
// Telegram's theme, and swaps in the server-rendered pages: links, forms
// and the participants table's selects go through fetch.
(function () {
  "use strict";
  var HEADER = "X-Telegram-Init-Data";

  // Telegram's side, without telegram-web-app.js (the CSP allows only the
  // app's own scripts): the page posts Telegram's raw events itself, as
  // Telegram documents them (core.telegram.org/api/web-events) — through
  // window.TelegramWebviewProxy.postEvent(name, json) in the mobile and
  // desktop apps, or as a message {eventType, eventData} to the parent
  // frame in the web client (web.telegram.org) — and receives Telegram's
  // through window.Telegram.WebView.receiveEvent(name, data), or messages
  // from that parent. Outside Telegram (a browser) nothing is posted.
  var TG_WEB = "https://web.telegram.org";
  var proxy = window.TelegramWebviewProxy;
  var framed = window.parent && window.parent !== window;
  var inTelegram = !!proxy || framed;
  function post(name, data) {
    var json = data === undefined ? "" : JSON.stringify(data);
    try {
      if (proxy && proxy.postEvent) proxy.postEvent(name, json);
      else if (framed) window.parent.postMessage(JSON.stringify({ eventType: name, eventData: data }), TG_WEB);
    } catch (e) { /* Telegram is gone: nothing to tell */ }
  }
  var handlers = {};
  function receive(name, data) {
    if (handlers[name]) handlers[name](data || {});
  }
  window.Telegram = window.Telegram || {};
  window.Telegram.WebView = window.Telegram.WebView || {};
  window.Telegram.WebView.receiveEvent = receive;
  window.addEventListener("message", function (ev) {
    if (!framed || ev.source !== window.parent || ev.origin !== TG_WEB) return;
    try {
      var m = JSON.parse(ev.data);
      if (m && typeof m.eventType === "string") receive(m.eventType, m.eventData);
    } catch (e) { /* not Telegram's */ }
  });

  // Telegram passes initData and the theme in the URL's fragment when it
  // opens the page.
  function fromHash(name) {
    var h = location.hash.replace(/^#/, "");
    var v = new URLSearchParams(h).get(name);
    return v === null ? "" : v;
  }
  // sessionStorage may be refused (an embedded frame with storage off):
  // then a reload needs Telegram to open the page again.
  function stored(key, value) {
    try {
      if (value === undefined) return sessionStorage.getItem(key);
      sessionStorage.setItem(key, value);
    } catch (e) { /* not kept */ }
    return null;
  }
  var initData = fromHash("tgWebAppData") || stored("vmeste.initData") || "";
  if (initData) stored("vmeste.initData", initData);

  // The theme: Telegram's themeParams from the fragment when it opens
  // the page, then from theme_changed when the user switches it.
  function applyTheme(given) {
    var params = given || null;
    if (params) stored("vmeste.theme", JSON.stringify(params));
    else {
      var raw = fromHash("tgWebAppThemeParams") || stored("vmeste.theme");
      if (raw) {
        try { params = JSON.parse(raw); stored("vmeste.theme", raw); } catch (e) { params = null; }
      }
    }
    var root = document.documentElement;
    if (params) {
      Object.keys(params).forEach(function (k) {
        if (/^[a-z_]+$/.test(k) && /^#[0-9a-fA-F]{3,8}$/.test(params[k])) {
          root.style.setProperty("--tg-theme-" + k.replace(/_/g, "-"), params[k]);
        }
      });
      if (params.bg_color) root.setAttribute("data-theme", isDark(params.bg_color) ? "dark" : "light");
    }
  }
  handlers.theme_changed = function (data) { if (data.theme_params) applyTheme(data.theme_params); };
  function isDark(hex) {
    var h = hex.replace("#", "");
    if (h.length === 3) h = h[0] + h[0] + h[1] + h[1] + h[2] + h[2];
    var r = parseInt(h.substr(0, 2), 16), g = parseInt(h.substr(2, 2), 16), b = parseInt(h.substr(4, 2), 16);
    return 0.299 * r + 0.587 * g + 0.114 * b < 128;
  }

  var refocus = "";
  function swap(html, url, push) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    document.title = doc.title;
    document.documentElement.lang = doc.documentElement.lang;
    document.body.innerHTML = doc.body.innerHTML;
    document.body.className = doc.body.className;
    if (push && url) history.pushState(null, "", url);
    syncBack();
    // The focus goes back to the control that was just changed (a row's
    // select in a long list), else to the page's [data-focus], else <h1>.
    var focus = (refocus && document.getElementById(refocus)) || document.querySelector("[data-focus]") || document.querySelector("h1");
    refocus = "";
    if (focus) {
      if (focus.tabIndex < 0) focus.setAttribute("tabindex", "-1");
      focus.focus({ preventScroll: false });
    }
    document.documentElement.setAttribute("data-ready", "1");
  }

  function request(method, url, body, push) {
    var headers = {};
    headers[HEADER] = initData;
    var opts = { method: method, headers: headers, credentials: "omit" };
    if (body) {
      opts.body = body;
      headers["Content-Type"] = "application/x-www-form-urlencoded";
    }
    document.documentElement.removeAttribute("data-ready");
    return fetch(url, opts).then(function (resp) {
      var next = resp.headers.get("X-App-URL") || url;
      return resp.text().then(function (html) { swap(html, next, push || next !== url); });
    }).catch(function () {
      document.documentElement.setAttribute("data-ready", "1");
    });
  }

  // The participants' files: their links are signed for this user and
  // work without the header, for a short while (DownloadTTL). On a tap the
  // page asks for a fresh link (data-link, with the header), then Telegram
  // downloads it (web_app_request_file_download, Bot API 8.0) or, in a
  // browser, the page follows it. Should the ask fail, the link as
  // rendered is followed.
  function download(a, ev) {
    var ask = a.getAttribute("data-link");
    if (!ask) return;
    ev.preventDefault();
    var headers = {};
    headers[HEADER] = initData;
    fetch(ask, { headers: headers, credentials: "omit" }).then(function (resp) {
      if (!resp.ok) throw new Error("link " + resp.status);
      return resp.json();
    }).then(function (j) { return j.url; }, function () { return a.getAttribute("href"); }).then(function (href) {
      var url = new URL(href, location.href).href;
      if (inTelegram) {
        post("web_app_request_file_download", { url: url, file_name: a.getAttribute("data-download") });
        return;
      }
      var tmp = document.createElement("a");
      tmp.href = url;
      tmp.download = a.getAttribute("data-download");
      tmp.click();
    });
  }

  document.addEventListener("click", function (ev) {
    var a = ev.target.closest && ev.target.closest("a[href]");
    if (!a || ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey) return;
    var href = a.getAttribute("href");
    if (href.indexOf("/app/") !== 0) return;
    if (a.hasAttribute("data-download")) { download(a, ev); return; }
    ev.preventDefault();
    request("GET", href, null, true);
  });

  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    ev.preventDefault();
    var data = new FormData(form);
    if (ev.submitter && ev.submitter.name) data.append(ev.submitter.name, ev.submitter.value);
    var params = new URLSearchParams();
    data.forEach(function (v, k) { params.append(k, v); });
    var action = form.getAttribute("action") || location.pathname;
    if ((form.getAttribute("method") || "get").toLowerCase() === "post") {
      request("POST", action, params.toString(), false);
    } else {
      request("GET", action + "?" + params.toString(), null, true);
    }
  });

  // A list's filter: typing in an input with data-filter hides the rows
  // (the selector) that do not contain what was typed.
  document.addEventListener("input", function (ev) {
    switchSelect(ev.target);
    var sel = ev.target.getAttribute && ev.target.getAttribute("data-filter");
    if (!sel) return;
    var q = ev.target.value.trim().toLowerCase();
    document.querySelectorAll(sel).forEach(function (row) {
      row.hidden = q !== "" && row.textContent.toLowerCase().indexOf(q) < 0;
    });
  });

  // A control with data-switch="<select's selector>" sets that select
  // to data-switch-to when it is edited (the dashboard's dates pick the
  // period «dates»).
  function switchSelect(el) {
    var sel = el.getAttribute && el.getAttribute("data-switch");
    var target = sel && document.querySelector(sel);
    if (target) target.value = el.getAttribute("data-switch-to");
  }

  // A new event's reminders follow its kind while they are the kind's
  // defaults, untouched (the kind's options carry their defaults in
  // data-reminders, the form the shown ones in reminders_default).
  function kindReminders(el) {
    var shown = el.form && el.form.querySelector("[name=reminders_default]");
    if (el.id !== "kind" || !shown) return;
    var boxes = el.form.querySelectorAll("input[name=reminder]");
    var now = [];
    boxes.forEach(function (b) { if (b.checked) now.push(b.value); });
    if (now.join(",") !== shown.value) return;
    var opt = el.options[el.selectedIndex];
    var next = opt && opt.getAttribute("data-reminders");
    if (!next) return;
    var want = next.split(",");
    boxes.forEach(function (b) { b.checked = want.indexOf(b.value) >= 0; });
    shown.value = next;
  }

  document.addEventListener("change", function (ev) {
    var el = ev.target;
    switchSelect(el);
    kindReminders(el);
    if (!el.form || !el.form.hasAttribute("data-autosubmit")) return;
    refocus = el.id || "";
    el.form.requestSubmit();
  });

  window.addEventListener("popstate", function () {
    request("GET", location.pathname + location.search, null, false);
  });

  // Telegram's own Back button, away from My events: back in the page's
  // history, or to My events when the panel was opened on another page.
  var depth = 0;
  var backShown = null;
  function syncBack() {
    var show = !(location.pathname === "/app/" && location.search === "");
    if (!inTelegram || show === backShown) return;
    backShown = show;
    post("web_app_setup_back_button", { is_visible: show });
  }
  handlers.back_button_pressed = function () {
    if (depth > 0) history.back();
    else request("GET", "/app/", null, true);
  };
  var push0 = history.pushState.bind(history);
  history.pushState = function (a, b, c) { depth++; return push0(a, b, c); };
  window.addEventListener("popstate", function () { depth = Math.max(0, depth - 1); syncBack(); });

  applyTheme();
  post("web_app_ready");
  post("web_app_expand");
  syncBack();
  if (document.body && document.body.hasAttribute("data-shell")) {
    if (!initData) {
      document.documentElement.setAttribute("data-ready", "1");
      return;
    }
    request("GET", location.pathname + location.search, null, false);
  }
})();
