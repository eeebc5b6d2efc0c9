// Progressive enhancement only: every page of the live site works without this file.
// 1. Instant search: results under the search box (and under the home page's one box while
//    it holds a short line) as you type, from /api/v1/search, or on the static site from
//    search-index.js (a script, so it loads from disk too).
// 2. The static site's search page: the results for ?q=. Code pages and event pages
//    (kb/events) come from one index; each result names itself (AADSTS50126, security-4740).
// 3. Copy buttons above code blocks, never over them.
(function () {
  "use strict";

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) { e.textContent = text; }
    return e;
  }

  var site = document.querySelector("header[data-site=static]");
  var base = site ? (site.getAttribute("data-base") || "") : "/";

  var staticIndex = null;
  function loadStatic() {
    if (staticIndex) { return staticIndex; }
    staticIndex = new Promise(function (resolve, reject) {
      if (window.AADSTS_INDEX) { resolve(window.AADSTS_INDEX); return; }
      var s = el("script", { src: base + "search-index.js" });
      s.onload = function () { window.AADSTS_INDEX ? resolve(window.AADSTS_INDEX) : reject(); };
      s.onerror = reject;
      document.head.appendChild(s);
    });
    return staticIndex;
  }
  // Every word counts where it is found (the title most); pages that have all the words
  // come first. Words are cut to a rough stem so that "expired" finds "expiry".
  function stem(w) {
    w = w.replace(/^aadsts(?=\d)/, "");
    return w.length > 4 ? w.replace(/(ing|ed|es|y|s)$/, "") : w;
  }
  function searchStatic(q, limit) {
    return loadStatic().then(function (idx) {
      var words = q.toLowerCase().split(/[^a-z0-9]+/).filter(function (w) { return w.length > 1; }).map(stem);
      if (!words.length) { return []; }
      // Rarer words weigh more (as in the server's ranking).
      var hay = idx.map(function (p, i) {
        var id = p.kind === "event" ? p.event + " " + p.label.replace(/-/g, " ") : String(p.code);
        return { p: p, i: i, title: p.title.toLowerCase(), other: (id + " " + (p.name || "") + " " + p.category).toLowerCase() };
      });
      var weight = words.map(function (w) {
        var df = hay.filter(function (h) { return h.title.indexOf(w) >= 0 || h.other.indexOf(w) >= 0; }).length;
        return Math.log((idx.length + 1) / (df + 1)) + 0.1;
      });
      var scored = [];
      hay.forEach(function (h) {
        var found = 0, score = 0;
        words.forEach(function (w, i) {
          var t = h.title.indexOf(w) >= 0, o = h.other.indexOf(w) >= 0;
          if (t || o) { found += 1; score += weight[i] * ((t ? 3 : 0) + (o ? 2 : 0)); }
          // An exact code or event ID wins, as on the server.
          if (String(h.p.code) === w || String(h.p.event) === w) { score += 100; }
        });
        if (found) { scored.push({ p: h.p, found: found, score: score }); }
      });
      scored.sort(function (a, b) { return b.found - a.found || b.score - a.score || a.i - b.i; });
      return scored.slice(0, limit).map(function (s) {
        return { kind: s.p.kind, label: s.p.label, code: s.p.code, event: s.p.event, name: s.p.name, title: s.p.title, url: base + s.p.url };
      });
    });
  }
  function searchApi(q, limit) {
    return fetch("/api/v1/search?limit=" + limit + "&q=" + encodeURIComponent(q))
      .then(function (r) { return r.ok ? r.json() : { results: [] }; })
      .then(function (j) {
        return j.results.map(function (r) {
          return r.kind === "event"
            ? { kind: "event", label: r.id, event: r.event, title: r.title, url: "/events/" + encodeURIComponent(r.id) }
            : { kind: "code", label: "AADSTS" + r.code, code: r.code, title: r.title, url: "/codes/" + r.code };
        });
      });
  }
  var run = site ? searchStatic : searchApi;

  function fill(list, hits) {
    list.textContent = "";
    hits.forEach(function (h) {
      var li = el("li");
      li.appendChild(el("a", { href: h.url }, h.label));
      li.appendChild(document.createTextNode(" " + h.title));
      list.appendChild(li);
    });
  }

  document.querySelectorAll("input[type=search], textarea[data-instant]").forEach(function (box) {
    var list = el("ul", { "class": "instant", "aria-live": "polite" });
    box.form.appendChild(list);
    var timer = null;
    box.addEventListener("input", function () {
      clearTimeout(timer);
      var q = box.value.trim();
      // A pasted error is explained, not searched: instant results only for a short line.
      if (q.length < 2 || q.length > 80 || box.value.indexOf("\n") >= 0) { list.textContent = ""; return; }
      timer = setTimeout(function () {
        run(q, 8).then(function (hits) { fill(list, hits); }).catch(function () { list.textContent = ""; });
      }, 150);
    });
    if (box.tagName === "TEXTAREA") {
      // Enter sends a one-line entry, as in a search box; Shift+Enter adds a line.
      box.addEventListener("keydown", function (e) {
        if (e.key === "Enter" && !e.shiftKey && box.value.indexOf("\n") < 0 && box.value.trim()) {
          e.preventDefault();
          box.form.submit();
        }
      });
    }
  });

  // The static site's search page; `?q=` on any other static page goes there.
  var results = document.getElementById("results");
  if (site && !results && /[?&]q=/.test(window.location.search)) {
    window.location.replace(base + "search.html" + window.location.search);
    return;
  }
  if (site && results) {
    var q = (new URLSearchParams(window.location.search).get("q") || "").trim();
    var box = document.getElementById("q");
    if (box) { box.value = q; }
    if (q) {
      var status = document.getElementById("search-status");
      document.getElementById("search-title").textContent = "Results for \u201c" + q + "\u201d";
      searchStatic(q, 100).then(function (hits) {
        // A code (with or without AADSTS), an event page id, "event 4740" (when one source
        // logs that ID) or Microsoft's name opens its page.
        var code = q.replace(/^aadsts/i, "");
        var ev = (q.match(/^event\s*(?:id)?[\s:#]*(\d+)$/i) || [])[1];
        var lower = q.toLowerCase();
        var exact = hits.filter(function (h) {
          return (h.kind === "code" && String(h.code) === code) || (ev !== undefined && String(h.event) === ev) ||
            h.label.toLowerCase() === lower || (h.name || "").toLowerCase() === lower;
        });
        if (exact.length === 1) { window.location.replace(exact[0].url); return; }
        fill(results, hits);
        results.className = "hits";
        var events = hits.filter(function (h) { return h.kind === "event"; }).length;
        var counts = [];
        if (hits.length - events) { counts.push((hits.length - events) + " code(s)"); }
        if (events) { counts.push(events + " event page(s)"); }
        status.textContent = hits.length ? counts.join(", ") : "No page matches. Try fewer words.";
      }).catch(function () { status.textContent = "The search index could not be loaded."; });
    }
  }

  if (navigator.clipboard) {
    document.querySelectorAll("main pre").forEach(function (pre) {
      var bar = el("div", { "class": "codebar" });
      var b = el("button", { type: "button", "class": "copy" }, "Copy");
      b.addEventListener("click", function () {
        navigator.clipboard.writeText(pre.innerText).then(function () { b.textContent = "Copied"; });
      });
      bar.appendChild(b);
      pre.parentNode.insertBefore(bar, pre);
    });
  }
})();
