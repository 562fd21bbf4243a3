/*
 * search.js - the search page's script: looks a query up in the split
 * index the build writes under search/ (docs/search.md) and shows the
 * results as links. No dependencies. Without it the page offers the theme
 * and tag pages; with it the form appears.
 *
 * Text is normalised and split as the build does (site-gen/search.c):
 * NFKD, marks removed, lowercased, runs of letters and digits of at most
 * 40 characters. A term's shard is the top bits of the FNV-1a hash of its
 * UTF-8; each shard is fetched once, as are the chunks of display records
 * of the results shown. Every string shown comes from the form's data-
 * attributes, so the page's language is the script's.
 */
(function () {
	"use strict";

	var form = document.getElementById("search-form");
	if (!form || !window.fetch || !window.TextEncoder || !"".normalize)
		return;
	var input = document.getElementById("search-q");
	var kindSel = document.getElementById("search-kind");
	var themeSel = document.getElementById("search-theme");
	var statusEl = document.getElementById("search-status");
	var list = document.getElementById("search-results");
	var d = form.dataset;
	var N = parseInt(d.stories, 10) || 0;
	var idBits = parseInt(d.idBits, 10);
	var shardBits = parseInt(d.shardBits, 10);
	var chunkBits = parseInt(d.chunkBits, 10);
	var base = (d.root || "") + "search/";
	var PAGE = 10;
	var HIDE_KEY = "hearth.search.hide";
	var enc = new TextEncoder();
	var MARK = /\p{M}/u, TERM = /[\p{L}\p{N}]/u;

	/* ---- text as the index holds it ---- */

	function tokens(text) {
		var out = [], cur = "", cps = 0;
		function end() {
			if (cur && cps <= 40 && out.indexOf(cur) < 0)
				out.push(cur);
			cur = "";
			cps = 0;
		}
		for (var ch of text.normalize("NFKD")) {
			if (MARK.test(ch))
				continue;
			var lc = ch.toLowerCase();
			if (TERM.test(lc)) {
				cur += lc;
				cps++;
			} else {
				end();
			}
		}
		end();
		return out;
	}

	function fnv1a(bytes) {
		var h = 0x811c9dc5;
		for (var i = 0; i < bytes.length; i++) {
			h ^= bytes[i];
			h = Math.imul(h, 0x01000193) >>> 0;
		}
		return h >>> 0;
	}

	function hex3(n) {
		var s = n.toString(16);
		while (s.length < 3)
			s = "0" + s;
		return s;
	}

	/* ---- the index ---- */

	var shards = new Map(), chunks = new Map();

	function get(url, how) {
		return fetch(url).then(function (r) {
			if (r.status === 404)
				return null; /* a shard no term falls in */
			if (!r.ok)
				throw new Error(url + ": " + r.status);
			return how === "json" ? r.json() : r.arrayBuffer();
		});
	}

	function shardOf(bytes) {
		var n = shardBits ? fnv1a(bytes) >>> (32 - shardBits) : 0;
		if (!shards.has(n))
			shards.set(n, get(base + "t/" + hex3(n) + ".bin", "bin").then(function (b) {
				return b ? new Uint8Array(b) : new Uint8Array(0);
			}));
		return shards.get(n);
	}

	/* The postings of term: {df, ids: [...], imp: [...]}, empty when none. */
	function postings(term) {
		var want = enc.encode(term);
		return shardOf(want).then(function (b) {
			var p = 0;
			function varint() {
				var v = 0, mul = 1, x;
				do {
					x = b[p++];
					v += (x & 0x7f) * mul;
					mul *= 128;
				} while (x & 0x80);
				return v;
			}
			while (p < b.length) {
				var len = varint(), at = p, same = len === want.length;
				for (var i = 0; same && i < len; i++)
					same = b[at + i] === want[i];
				p += len;
				var df = varint();
				if (!same) { /* skip its postings */
					for (var k = 0; k < df; k++) {
						varint();
						p++;
					}
					continue;
				}
				var ids = new Array(df), imp = new Array(df), id = 0;
				for (var j = 0; j < df; j++) {
					id += varint();
					ids[j] = id;
					imp[j] = b[p++];
				}
				return {df: df, ids: ids, imp: imp};
			}
			return {df: 0, ids: [], imp: []};
		});
	}

	function idSet(p) {
		return new Set(p.ids);
	}

	function record(id) {
		var n = id >>> (idBits - chunkBits);
		if (!chunks.has(n))
			chunks.set(n, get(base + "d/" + hex3(n) + ".json", "json").then(function (v) {
				var m = new Map();
				(v || []).forEach(function (r) { m.set(r[0], r); });
				return m;
			}));
		return chunks.get(n).then(function (m) { return m.get(id); });
	}

	/* ---- a query ---- */

	function hidden() {
		try {
			return JSON.parse(localStorage.getItem(HIDE_KEY) || "[]");
		} catch (e) {
			return [];
		}
	}

	function saveHidden() {
		var v = [];
		form.querySelectorAll("input[name=hide]:checked").forEach(function (c) {
			v.push(c.value);
		});
		try {
			localStorage.setItem(HIDE_KEY, JSON.stringify(v));
		} catch (e) { /* private mode: the choice lasts for this page */ }
	}

	/*
	 * The stories that hold every term of the query and pass the filters,
	 * best first: the sum over the terms of the term's rarity (BM25's idf)
	 * times the posting's weight; ties by number.
	 */
	function search(q, kind, theme, hide) {
		var terms = tokens(q);
		var jobs = terms.map(postings);
		var filters = [];
		if (kind)
			filters.push(postings("kind:" + kind));
		if (theme)
			filters.push(postings("theme:" + theme));
		var hides = hide.map(function (w) { return postings("warn:" + w); });
		return Promise.all([Promise.all(jobs), Promise.all(filters), Promise.all(hides)])
			.then(function (all) {
				var lists = all[0], must = all[1].map(idSet), not = all[2].map(idSet);
				var score = new Map(), first = true;
				if (!lists.length && all[1].length) /* filters alone: every story they name */
					lists = [{df: N, ids: all[1][0].ids, imp: all[1][0].ids.map(function () { return 1; })}];
				lists.sort(function (a, b) { return a.df - b.df; });
				lists.forEach(function (l) {
					var idf = Math.log(1 + (N - l.df + 0.5) / (l.df + 0.5));
					var next = new Map();
					for (var i = 0; i < l.ids.length; i++) {
						var id = l.ids[i];
						if (first || score.has(id))
							next.set(id, (score.get(id) || 0) + idf * l.imp[i]);
					}
					score = next;
					first = false;
				});
				var out = [], gone = 0;
				score.forEach(function (s, id) {
					if (!must.every(function (m) { return m.has(id); }))
						return;
					if (not.some(function (m) { return m.has(id); })) {
						gone++;
						return;
					}
					out.push([id, s]);
				});
				out.sort(function (a, b) { return b[1] - a[1] || a[0] - b[0]; });
				return {ids: out.map(function (x) { return x[0]; }), hidden: gone};
			});
	}

	/* ---- showing it ---- */

	function say(template, n) {
		return (template || "").replace("{n}", String(n));
	}

	function kindName(k) {
		return d["sKind" + k.charAt(0).toUpperCase() + k.slice(1)] || k;
	}

	function el(name, cls, text) {
		var e = document.createElement(name);
		if (cls)
			e.className = cls;
		if (text)
			e.textContent = text;
		return e;
	}

	function item(r) {
		var li = el("li", "search-result");
		var a = el("a", null, r[1]);
		a.href = (d.root || "") + r[2];
		var h = el("h2");
		h.appendChild(a);
		li.appendChild(h);
		if (r[3])
			li.appendChild(el("p", "search-summary", r[3]));
		var meta = [kindName(r[4])].concat(r[5]);
		li.appendChild(el("p", "search-meta", meta.join(" · ")));
		if (r[6].length)
			li.appendChild(el("p", "search-warnings", d.sWarnings + " " + r[6].join(", ")));
		return li;
	}

	var current = null, shown = 0, run = 0, moreBtn = null;

	function showMore(token) {
		var ids = current.ids.slice(shown, shown + PAGE);
		shown += ids.length;
		return Promise.all(ids.map(record)).then(function (rs) {
			if (token !== run)
				return;
			rs.forEach(function (r) {
				if (r)
					list.appendChild(item(r));
			});
			if (moreBtn)
				moreBtn.hidden = shown >= current.ids.length;
		});
	}

	function update() {
		var token = ++run;
		var q = input.value;
		var hide = hidden();
		list.textContent = "";
		shown = 0;
		if (moreBtn)
			moreBtn.hidden = true;
		if (!tokens(q).length && !kindSel.value && !themeSel.value) {
			statusEl.textContent = "";
			return;
		}
		statusEl.textContent = d.sLoading;
		search(q, kindSel.value, themeSel.value, hide).then(function (res) {
			if (token !== run)
				return;
			current = res;
			var n = res.ids.length;
			var msg = n === 0 ? d.sNone : n === 1 ? d.sOne : say(d.sResults, n);
			if (res.hidden)
				msg += ". " + say(d.sHidden, res.hidden);
			/* the count is announced once the results it counts are there */
			return showMore(token).then(function () {
				if (token === run)
					statusEl.textContent = msg;
			});
		}).catch(function () {
			if (token === run)
				statusEl.textContent = d.sError;
		});
	}

	var timer = 0;
	function soon() {
		clearTimeout(timer);
		timer = setTimeout(update, 200);
	}

	var saved = hidden();
	form.querySelectorAll("input[name=hide]").forEach(function (c) {
		c.checked = saved.indexOf(c.value) >= 0;
		c.addEventListener("change", function () {
			saveHidden();
			update();
		});
	});
	form.addEventListener("submit", function (e) {
		e.preventDefault();
		clearTimeout(timer);
		update();
	});
	input.addEventListener("input", soon);
	kindSel.addEventListener("change", update);
	themeSel.addEventListener("change", update);

	moreBtn = el("button", "search-more", d.sMore);
	moreBtn.type = "button";
	moreBtn.hidden = true;
	moreBtn.addEventListener("click", function () {
		showMore(run);
	});
	list.parentNode.insertBefore(moreBtn, list.nextSibling);

	form.hidden = false;
	var params = new URLSearchParams(location.search);
	if (params.get("q")) {
		input.value = params.get("q");
		update();
	}
})();
