// Parley's web page: plain JavaScript, talking only to frontend-svc (JSON API + Server-Sent Events).
'use strict';

const $ = (id) => document.getElementById(id);
const state = { me: null, open: null, source: null, lastId: localStorage.getItem('parley.lastId') || '', seen: new Set(), notifications: [], beatTimer: null, retryTimer: null };

async function api(method, path, body) {
  const res = await fetch(path, { method, headers: body ? { 'Content-Type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined, credentials: 'same-origin' });
  const text = await res.text();
  const data = text ? JSON.parse(text) : {};
  if (!res.ok) { const e = new Error(data.message || res.statusText); e.status = res.status; e.code = data.error; throw e; }
  return data;
}

function toast(text) {
  const t = $('toast'); t.textContent = text; t.hidden = false;
  clearTimeout(toast.timer); toast.timer = setTimeout(() => { t.hidden = true; }, 4000);
}

function fmt(ts) { try { return new Date(ts).toLocaleString(); } catch { return ts; } }
function el(tag, cls, text) { const e = document.createElement(tag); if (cls) e.className = cls; if (text !== undefined) e.textContent = text; return e; }

// ---- session ---------------------------------------------------------------------------------
async function start() {
  try { const me = await api('GET', '/api/me'); signedIn(me.email); } catch { signedOut(); }
}

function signedIn(email) {
  if (state.me && state.me !== email) { state.lastId = ''; localStorage.removeItem('parley.lastId'); }
  state.me = email;
  localStorage.setItem('parley.me', email);
  $('auth').hidden = true; $('app').hidden = false; $('bell').hidden = false; $('logout').hidden = false;
  $('me').textContent = email;
  loadConversations(); loadNotifications(); connect();
}

function signedOut() {
  state.me = null;
  if (state.source) state.source.close();
  setConn('offline');
  $('auth').hidden = false; $('app').hidden = true; $('bell').hidden = true; $('logout').hidden = true; $('notifications').hidden = true;
  $('me').textContent = '';
}

$('login-form').addEventListener('submit', async (ev) => {
  ev.preventDefault(); $('auth-error').textContent = '';
  try {
    const r = await api('POST', '/api/login', { email: $('login-email').value, password: $('login-password').value });
    if (localStorage.getItem('parley.me') !== r.email) { state.lastId = ''; localStorage.removeItem('parley.lastId'); }
    signedIn(r.email);
  } catch (e) { $('auth-error').textContent = e.message; }
});

$('register-form').addEventListener('submit', async (ev) => {
  ev.preventDefault(); $('auth-error').textContent = '';
  const email = $('register-email').value, password = $('register-password').value;
  try {
    await api('POST', '/api/register', { name: $('register-name').value, email, password });
    const r = await api('POST', '/api/login', { email, password });
    state.lastId = ''; localStorage.removeItem('parley.lastId');
    signedIn(r.email);
  } catch (e) { $('auth-error').textContent = e.message; }
});

$('logout').addEventListener('click', async () => { await api('POST', '/api/logout').catch(() => {}); signedOut(); });

// ---- conversations and messages --------------------------------------------------------------
async function loadConversations() {
  try {
    const r = await api('GET', '/api/conversations?page_size=100');
    const list = $('conversation-list'); list.replaceChildren();
    const convs = r.conversations || [];
    $('no-conversations').hidden = convs.length > 0;
    for (const c of convs) {
      const li = el('li'); li.dataset.email = c.with_email;
      if (c.with_email === state.open) li.classList.add('active');
      const who = el('span', 'who', c.with_email);
      who.appendChild(el('span', 'preview', c.last_message ? c.last_message.content : ''));
      li.appendChild(who);
      if (Number(c.unread_count) > 0) li.appendChild(el('span', 'badge unread-count', String(c.unread_count)));
      li.addEventListener('click', () => openConversation(c.with_email));
      list.appendChild(li);
    }
  } catch (e) { if (e.status === 401) signedOut(); }
}

async function openConversation(email) {
  state.open = email;
  $('thread-title').textContent = email; $('send-form').hidden = false; $('send-error').textContent = '';
  await loadMessages();
  await api('POST', '/api/conversations/' + encodeURIComponent(email) + '/read').catch(() => {});
  loadConversations();
}

async function loadMessages() {
  if (!state.open) return;
  const r = await api('GET', '/api/messages?page_size=100&with=' + encodeURIComponent(state.open));
  const ol = $('messages'); ol.replaceChildren();
  for (const m of (r.messages || []).slice().reverse()) {
    const li = el('li', m.sender_email === state.me ? 'mine' : 'theirs', m.content);
    li.appendChild(el('time', null, fmt(m.timestamp)));
    ol.appendChild(li);
  }
  ol.scrollTop = ol.scrollHeight;
}

$('new-form').addEventListener('submit', (ev) => { ev.preventDefault(); const e = $('new-email').value.trim().toLowerCase(); if (e) { openConversation(e); $('new-email').value = ''; } });

$('send-form').addEventListener('submit', async (ev) => {
  ev.preventDefault(); $('send-error').textContent = '';
  const content = $('send-content').value;
  try {
    await api('POST', '/api/messages', { receiver_email: state.open, content });
    $('send-content').value = '';
    await loadMessages(); loadConversations();
  } catch (e) { $('send-error').textContent = e.message; }
});

// ---- notifications ---------------------------------------------------------------------------
async function loadNotifications() {
  try {
    const r = await api('GET', '/api/notifications?page_size=500');
    state.notifications = (r.notifications || []).slice().reverse();
    state.notifications.forEach((n) => state.seen.add(n.id));
    renderNotifications(Number(r.unread_count || 0));
  } catch (e) { if (e.status === 401) signedOut(); }
}

function renderNotifications(unread) {
  const count = unread !== undefined ? unread : state.notifications.filter((n) => !n.read).length;
  const badge = $('bell-count'); badge.textContent = String(count); badge.hidden = count === 0;
  const list = $('notification-list'); list.replaceChildren();
  $('no-notifications').hidden = state.notifications.length > 0;
  for (const n of state.notifications.slice(0, 100)) {
    const li = el('li', n.read ? 'read' : 'unread'); li.dataset.id = n.id;
    const who = el('span', 'who', n.sender_email);
    who.appendChild(el('span', 'preview', n.preview));
    li.appendChild(who);
    li.addEventListener('click', async () => {
      await api('POST', '/api/notifications/read', { ids: [n.id] }).catch(() => {});
      n.read = true; renderNotifications(); $('notifications').hidden = true; openConversation(n.sender_email);
    });
    list.appendChild(li);
  }
}

$('bell').addEventListener('click', () => { $('notifications').hidden = !$('notifications').hidden; });
$('mark-all').addEventListener('click', async () => {
  await api('POST', '/api/notifications/read', { all: true }).catch(() => {});
  state.notifications.forEach((n) => { n.read = true; }); renderNotifications();
});

// The event's SSE id is the stream's cursor (the highest id sent), which is where a reconnect resumes.
function remember(cursor) {
  if (cursor) { state.lastId = cursor; localStorage.setItem('parley.lastId', cursor); }
}

function onNotification(n) {
  if (state.seen.has(n.id)) return;
  state.seen.add(n.id);
  state.notifications.unshift(n);
  renderNotifications();
  toast('New message from ' + n.sender_email + ': ' + n.preview);
  if (state.open === n.sender_email) {
    loadMessages().then(() => api('POST', '/api/conversations/' + encodeURIComponent(state.open) + '/read').catch(() => {})).then(loadConversations);
  } else {
    loadConversations();
  }
}

// ---- live connection: SSE with resume, visible state, self-healing ---------------------------
function setConn(s) {
  const c = $('conn'); c.dataset.state = s; c.textContent = s;
  c.className = 'conn ' + (s === 'live' ? 'conn-live' : s === 'connecting' ? 'conn-connecting' : 'conn-off');
}

function connect() {
  if (!state.me) return;
  if (state.source) state.source.close();
  clearTimeout(state.retryTimer);
  setConn('connecting');
  const url = '/events' + (state.lastId ? '?last_event_id=' + encodeURIComponent(state.lastId) : '');
  const src = new EventSource(url);
  state.source = src;
  src.onopen = () => { setConn('live'); watchdog(); };
  src.addEventListener('notification', (ev) => { watchdog(); remember(ev.lastEventId); onNotification(JSON.parse(ev.data)); });
  src.addEventListener('heartbeat', () => { setConn('live'); watchdog(); });
  src.addEventListener('reset', () => { loadNotifications(); loadConversations(); });
  src.addEventListener('bye', () => { src.close(); setConn('connecting'); reconnectSoon(); });
  // the token this stream was opened with expired: log in again (reconnecting would get 401)
  src.addEventListener('revoked', () => { src.close(); signedOut(); });
  src.onerror = () => {
    // EventSource retries by itself while it can (sending Last-Event-ID); when it gives up we start over.
    setConn(src.readyState === EventSource.CLOSED ? 'offline' : 'connecting');
    if (src.readyState === EventSource.CLOSED) reconnectSoon();
  };
}

function reconnectSoon() {
  clearTimeout(state.retryTimer);
  state.retryTimer = setTimeout(async () => {
    try { await api('GET', '/api/me'); connect(); loadConversations(); } catch (e) { if (e.status === 401) signedOut(); else reconnectSoon(); }
  }, 3000);
}

// No event (not even a heartbeat) for a while means the connection is dead without having said so.
function watchdog() {
  clearTimeout(state.beatTimer);
  state.beatTimer = setTimeout(() => { setConn('connecting'); connect(); }, 45000);
}

window.addEventListener('online', () => connect());
start();
