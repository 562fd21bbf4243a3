/*
 * player.js - the audio story page's player, made better when scripts run.
 * The page works without it: the chapters and the transcript's times are
 * links to the MP3 with a media fragment (#t=90). With it:
 *
 *   - those links seek the page's player and play from there;
 *   - the waveform becomes a seek bar (a native range input over it, so
 *     keyboards and assistive technology know it: arrows move 5 seconds,
 *     Page Up and Page Down 30, Home and End to the ends);
 *   - the transcript follows playback: the cue playing carries
 *     aria-current="true" and its box scrolls to it (the box only, never
 *     the page; not for a few seconds after the reader scrolled it);
 *   - #t=90, #t=1:30 or #t=1:02:03 in the page's address seeks there on
 *     load (without playing), and "Link to this moment" gives that link;
 *   - nothing plays until the listener asks.
 *
 * Words come from the data-t-* attributes of the [data-player] section,
 * so a theme's string files translate them.
 */
(function () {
  'use strict';

  var listen = document.querySelector('[data-player]');
  if (!listen) return;
  var players = listen.querySelectorAll('.player');
  var main = players.length ? players[0].querySelector('audio') : null;
  if (!main) return;

  function word(name, fallback) {
    var v = listen.getAttribute('data-t-' + name);
    return v === null || v === '' ? fallback : v;
  }

  /* text with {1}, {2}... replaced by args[0], args[1]..., as the theme's strings write them */
  function fill(text, args) {
    return text.replace(/\{([1-9])\}/g, function (all, k) {
      return k - 1 < args.length ? args[k - 1] : all;
    });
  }

  /* Seconds as a clock: "2:06", "1:02:03". */
  function clock(sec) {
    sec = Math.max(0, Math.floor(sec || 0));
    var h = Math.floor(sec / 3600), m = Math.floor(sec / 60) % 60, s = sec % 60;
    var ss = (s < 10 ? '0' : '') + s;
    if (h) return h + ':' + (m < 10 ? '0' : '') + m + ':' + ss;
    return m + ':' + ss;
  }

  /*
   * A time from an address: "90", "1.5", "1:30", "1:02:03", as in a media
   * fragment (its "npt:" prefix and an end after a comma are allowed).
   * NaN when it is none of those.
   */
  function parseTime(v) {
    v = String(v).replace(/^npt:/, '').split(',')[0];
    if (!/^\d+(\.\d+)?$|^\d+(:\d{1,2}){1,2}(\.\d+)?$/.test(v)) return NaN;
    var parts = v.split(':'), t = 0;
    for (var i = 0; i < parts.length; i++) t = t * 60 + parseFloat(parts[i]);
    return t;
  }

  function duration(audio, fallback) {
    return isFinite(audio.duration) && audio.duration > 0 ? audio.duration : fallback;
  }

  /* Seeks audio to t seconds (once its metadata is there), and plays if asked. */
  function seek(audio, t, play) {
    if (!(t >= 0)) return;
    var to = function () {
      var d = audio.duration;
      audio.currentTime = isFinite(d) && t > d ? d : t;
    };
    if (audio.readyState >= 1) {
      to();
    } else {
      audio.addEventListener('loadedmetadata', to, { once: true });
      if (audio.preload === 'none') audio.preload = 'metadata';
    }
    if (play) {
      var p = audio.play();
      if (p && p.catch) p.catch(function () {});
    }
  }

  /* ---- the seek bar over each waveform ------------------------------------ */

  function seekBar(player) {
    var audio = player.querySelector('audio');
    var img = player.querySelector('img.waveform');
    if (!audio || !img) return;
    var recorded = parseFloat(player.getAttribute('data-duration')) || 0;
    var bar = document.createElement('div');
    bar.className = 'scrubber';
    var played = document.createElement('div');
    played.className = 'scrubber-played';
    var range = document.createElement('input');
    range.type = 'range';
    range.className = 'scrubber-range';
    range.min = '0';
    range.step = 'any';
    range.value = '0';
    range.setAttribute('aria-label', word('seek', 'Seek'));
    img.parentNode.insertBefore(bar, img);
    bar.appendChild(img);
    bar.appendChild(played);
    bar.appendChild(range);

    function show() {
      var d = duration(audio, recorded), t = audio.currentTime || 0;
      range.max = String(d || 0);
      range.value = String(Math.min(t, d || 0));
      range.setAttribute('aria-valuetext',
        fill(word('position', '{1} of {2}'), [clock(t), clock(d)]));
      played.style.width = (d ? Math.min(100, (100 * t) / d) : 0) + '%';
    }
    range.addEventListener('input', function () {
      seek(audio, parseFloat(range.value), false);
      show();
    });
    range.addEventListener('keydown', function (ev) {
      var d = duration(audio, recorded), t = audio.currentTime || 0, to = null;
      switch (ev.key) {
        case 'ArrowLeft': case 'ArrowDown': to = t - 5; break;
        case 'ArrowRight': case 'ArrowUp': to = t + 5; break;
        case 'PageDown': to = t - 30; break;
        case 'PageUp': to = t + 30; break;
        case 'Home': to = 0; break;
        case 'End': to = d; break;
        default: return;
      }
      ev.preventDefault();
      seek(audio, Math.max(0, Math.min(d, to)), false);
      range.value = String(Math.max(0, Math.min(d, to)));
    });
    ['timeupdate', 'seeked', 'loadedmetadata', 'durationchange'].forEach(function (e) {
      audio.addEventListener(e, show);
    });
    show();
  }

  for (var i = 0; i < players.length; i++) seekBar(players[i]);

  /* ---- chapters and the transcript's times --------------------------------- */

  document.addEventListener('click', function (ev) {
    if (ev.button !== 0 || ev.ctrlKey || ev.metaKey || ev.shiftKey || ev.altKey) return;
    var a = ev.target.closest ? ev.target.closest('a.seek[data-start]') : null;
    if (!a) return;
    var t = parseFloat(a.getAttribute('data-start'));
    if (!(t >= 0)) return;
    ev.preventDefault();
    seek(main, t, true);
  });

  /* ---- the transcript follows playback -------------------------------------- */

  var box = document.querySelector('.transcript-cues');
  var cues = box ? box.querySelectorAll('.cue[data-start]') : [];
  var starts = [];
  for (var k = 0; k < cues.length; k++) starts.push(parseFloat(cues[k].getAttribute('data-start')) || 0);
  var current = -1;
  /* a reader who scrolls the box is left to read: it follows again 4 s later */
  var ours = false, readerScrolled = 0;
  if (box) {
    box.addEventListener('scroll', function () {
      if (ours) ours = false;
      else readerScrolled = Date.now();
    }, { passive: true });
  }

  function follow() {
    if (!cues.length) return;
    var t = main.currentTime || 0, lo = 0, hi = starts.length - 1, at = -1;
    while (lo <= hi) { /* the last cue starting at or before t */
      var mid = (lo + hi) >> 1;
      if (starts[mid] <= t + 0.05) { at = mid; lo = mid + 1; } else { hi = mid - 1; }
    }
    if (at === current) return;
    if (current >= 0) cues[current].removeAttribute('aria-current');
    current = at;
    if (at < 0) return;
    var cue = cues[at];
    cue.setAttribute('aria-current', 'true');
    /* the box scrolls, never the page: no scrollIntoView */
    var top = cue.offsetTop, bottom = top + cue.offsetHeight;
    var to = Math.max(0, Math.min(top - box.clientHeight / 3, box.scrollHeight - box.clientHeight));
    if (Date.now() - readerScrolled > 4000 &&
        (top < box.scrollTop || bottom > box.scrollTop + box.clientHeight) && to !== box.scrollTop) {
      ours = true;
      box.scrollTop = to;
    }
  }
  ['timeupdate', 'seeked'].forEach(function (e) { main.addEventListener(e, follow); });

  /* ---- #t= in the address, and a link to this moment ------------------------- */

  function fromAddress() {
    var m = /(?:^#|&)t=([^&]+)/.exec(location.hash);
    if (!m) return;
    var t = parseTime(decodeURIComponent(m[1]));
    if (t >= 0) seek(main, t, false);
  }
  window.addEventListener('hashchange', fromAddress);
  fromAddress();

  var share = document.createElement('p');
  share.className = 'share';
  var button = document.createElement('button');
  button.type = 'button';
  button.className = 'share-button';
  button.textContent = word('share', 'Link to this moment');
  var status = document.createElement('span');
  status.className = 'share-status';
  status.setAttribute('role', 'status');
  share.appendChild(button);
  share.appendChild(document.createTextNode(' '));
  share.appendChild(status);
  var meta = players[0].querySelector('.audio-meta');
  players[0].insertBefore(share, meta ? meta.nextSibling : null);

  button.addEventListener('click', function () {
    var t = Math.floor(main.currentTime || 0);
    var hash = '#t=' + t;
    var url = location.href.split('#')[0] + hash;
    if (history.replaceState) history.replaceState(null, '', hash);
    status.textContent = '';
    var a = document.createElement('a');
    a.href = hash;
    a.className = 'share-link';
    a.textContent = fill(word('link', 'Link to {1}'), [clock(t)]);
    status.appendChild(a);
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(url).then(function () {
        status.appendChild(document.createTextNode(' (' + word('copied', 'copied') + ')'));
      }, function () {});
    }
  });
})();
