// Basalt web UI: plain JS over the admin REST API (/api/v1/). No framework, no CDN.
'use strict';
const Basalt = (() => {
  const PAGES = [['index.html', 'Dashboard'], ['keys.html', 'Keys'], ['slowlog.html', 'Slowlog'],
    ['config.html', 'Config'], ['cluster.html', 'Cluster']];

  function header(current) {
    const h = document.createElement('header');
    h.innerHTML = '<b>Basalt</b>' + PAGES.map(([f, t]) =>
      `<a href="${f}"${f === current ? ' class="on"' : ''}>${t}</a>`).join('');
    document.body.prepend(h);
    const login = document.createElement('div');
    login.id = 'login';
    login.innerHTML = 'This server has a password (requirepass): <input type="password" id="pw"> <button id="pwgo">Use</button>';
    document.querySelector('main').prepend(login);
    document.getElementById('pwgo').onclick = () => {
      sessionStorage.setItem('basalt-pw', document.getElementById('pw').value);
      location.reload();
    };
  }

  async function api(path, opts = {}) {
    const pw = sessionStorage.getItem('basalt-pw');
    opts.headers = Object.assign({}, opts.headers || {}, pw ? { Authorization: 'Bearer ' + pw } : {});
    const r = await fetch('/api/v1/' + path, opts);
    const body = await r.json().catch(() => ({ error: 'not JSON (HTTP ' + r.status + ')' }));
    if (r.status === 401) document.getElementById('login').style.display = 'block';
    if (!r.ok) throw new Error(body.error || ('HTTP ' + r.status));
    return body;
  }

  function esc(s) {
    return String(s).replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
  }

  function table(el, cols, rows) {
    el.innerHTML = '<table><tr>' + cols.map(c => `<th>${esc(c[0])}</th>`).join('') + '</tr>' +
      rows.map(r => '<tr>' + cols.map(c => `<td>${c[1](r)}</td>`).join('') + '</tr>').join('') + '</table>';
  }

  function fail(el, e) { el.innerHTML = `<p class="err">${esc(e.message)}</p>`; }

  function bytes(n) {
    const u = ['B', 'KB', 'MB', 'GB', 'TB'];
    let i = 0;
    while (n >= 1024 && i < u.length - 1) { n /= 1024; i++; }
    return n.toFixed(i ? 1 : 0) + ' ' + u[i];
  }

  return { header, api, esc, table, fail, bytes };
})();
