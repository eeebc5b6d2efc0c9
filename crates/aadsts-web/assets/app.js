// Progressive enhancement only: every page works without this file.
// 1. Instant search: results under the search box as you type (from /api/v1/search, or from
//    /search-index.json on the static site).
// 2. Copy buttons on code blocks and on the "Send to support" list.
(function () {
  "use strict";

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) { e.textContent = text; }
    return e;
  }

  var staticIndex = null;
  function searchStatic(q) {
    var load = staticIndex ? Promise.resolve(staticIndex) :
      fetch("/search-index.json").then(function (r) { return r.json(); }).then(function (j) { staticIndex = j; return j; });
    return load.then(function (idx) {
      var words = q.toLowerCase().split(/\s+/).filter(Boolean);
      return idx.filter(function (p) {
        var hay = (p.code + " " + (p.name || "") + " " + p.title + " " + p.category).toLowerCase();
        return words.every(function (w) { return hay.indexOf(w) >= 0; });
      }).slice(0, 8).map(function (p) { return { code: p.code, title: p.title, url: p.url }; });
    });
  }
  function searchApi(q) {
    return fetch("/api/v1/search?limit=8&q=" + encodeURIComponent(q))
      .then(function (r) { return r.ok ? r.json() : { results: [] }; })
      .then(function (j) {
        return j.results.map(function (r) { return { code: r.code, title: r.title, url: "/codes/" + r.code }; });
      });
  }

  document.querySelectorAll("input[type=search]").forEach(function (box) {
    var list = el("ul", { "class": "instant", "aria-live": "polite" });
    box.form.appendChild(list);
    var timer = null;
    box.addEventListener("input", function () {
      clearTimeout(timer);
      var q = box.value.trim();
      if (q.length < 2) { list.textContent = ""; return; }
      timer = setTimeout(function () {
        var run = document.querySelector("nav[data-site=static]") ? searchStatic : searchApi;
        run(q).then(function (hits) {
          list.textContent = "";
          hits.forEach(function (h) {
            var li = el("li");
            li.appendChild(el("a", { href: h.url }, "AADSTS" + h.code));
            li.appendChild(document.createTextNode(" " + h.title));
            list.appendChild(li);
          });
        }).catch(function () { list.textContent = ""; });
      }, 150);
    });
  });

  if (navigator.clipboard) {
    document.querySelectorAll("pre").forEach(function (pre) {
      var b = el("button", { type: "button", "class": "copy" }, "Copy");
      b.addEventListener("click", function () {
        navigator.clipboard.writeText(pre.innerText).then(function () { b.textContent = "Copied"; });
      });
      pre.parentNode.insertBefore(b, pre);
    });
  }
})();
