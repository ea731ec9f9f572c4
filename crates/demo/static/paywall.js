// The Centime Review's paywall script: served from /static so that pages can run under a strict
// Content-Security-Policy (script-src 'self', no inline script).
//
// When the wallet sends the reader back with `#payment=<base64url PaymentPayload JSON>`, this
// retries the page with the same JSON in the PAYMENT-SIGNATURE header (standard base64) and shows
// the page. The payment is kept in this browser's localStorage so that a reload within the
// page's entitlement window opens it again without paying twice (the server answers an accepted
// payment's exact retry with the same page and receipt).
(function () {
  "use strict";

  var storageKey = "centime-payment:" + location.pathname;

  function toStandardBase64(b64url) {
    var s = b64url.replace(/-/g, "+").replace(/_/g, "/");
    while (s.length % 4 !== 0) {
      s += "=";
    }
    return s;
  }

  function status(text) {
    var el = document.getElementById("status");
    if (el) {
      el.textContent = text;
    }
  }

  function show(page) {
    var content = document.getElementById("content");
    var paywall = document.getElementById("paywall");
    if (!content) {
      return;
    }
    while (content.firstChild) {
      content.removeChild(content.firstChild);
    }
    var kicker = document.createElement("p");
    kicker.className = "kicker";
    kicker.textContent = "Page " + page.page + " of " + page.pages;
    content.appendChild(kicker);
    var h1 = document.createElement("h1");
    h1.textContent = page.title;
    content.appendChild(h1);
    var h2 = document.createElement("h2");
    h2.textContent = page.heading || "";
    content.appendChild(h2);
    String(page.text || "").split("\n\n").forEach(function (para) {
      var p = document.createElement("p");
      p.textContent = para;
      content.appendChild(p);
    });
    if (typeof page.next === "string" && page.next.indexOf(location.origin + "/") === 0) {
      var next = document.createElement("p");
      next.className = "next";
      var a = document.createElement("a");
      a.href = page.next;
      a.textContent = "Next page \u2192";
      next.appendChild(a);
      content.appendChild(next);
    }
    if (paywall) {
      paywall.hidden = true;
    }
    content.hidden = false;
    status("");
  }

  function retry(header, fromStorage) {
    status(fromStorage ? "Opening the page you paid for\u2026" : "Confirming your payment\u2026");
    return fetch(location.pathname + location.search, {
      headers: { "PAYMENT-SIGNATURE": header, Accept: "application/json" },
      credentials: "same-origin",
      cache: "no-store",
    }).then(function (resp) {
      return resp.json().then(function (body) {
        if (resp.ok) {
          try {
            localStorage.setItem(storageKey, header);
          } catch (e) {
            // Storage may be disabled; the page still shows.
          }
          show(body);
          return;
        }
        if (fromStorage) {
          try {
            localStorage.removeItem(storageKey);
          } catch (e) {
            // ignore
          }
          status("");
          return;
        }
        var why = (body && (body.message || body.error)) || "HTTP " + resp.status;
        status("The payment was refused: " + why);
      });
    }).catch(function () {
      status("Could not reach the magazine to confirm the payment; reload to try again.");
    });
  }

  function start() {
    var m = /^#payment=([A-Za-z0-9_-]+={0,2})$/.exec(location.hash);
    if (m) {
      // Drop the payment from the address bar (and from history) before using it.
      history.replaceState(null, "", location.pathname + location.search);
      retry(toStandardBase64(m[1]), false);
      return;
    }
    var saved = null;
    try {
      saved = localStorage.getItem(storageKey);
    } catch (e) {
      saved = null;
    }
    if (saved) {
      retry(saved, true);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
