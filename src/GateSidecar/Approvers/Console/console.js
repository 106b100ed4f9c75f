// The approver console: sign in with a bearer token, follow pending approvals live (server-sent events),
// decide them, look back at recent decisions and at rules that people approve unchanged.
import { createApi } from './api.js';
import { renderCard, tickCountdowns } from './card.js';
import { loadHistory, loadRules } from './views.js';
import { stateName } from './dom.js';

const TOKEN_KEY = 'gate.token';
const $ = (id) => document.getElementById(id);

const state = {
  api: null,
  me: null,
  approvals: new Map(),
  selected: new Set(),
  ui: new Map(),
  source: null,
  retry: null,
  focus: parseFocus(),
};

function parseFocus() {
  const params = new URLSearchParams(location.hash.slice(1));
  const id = params.get('approval');
  return id ? { id, action: params.get('action') } : null;
}

// ---- sign-in ---------------------------------------------------------------------------------

async function signIn(token) {
  const api = createApi(token);
  const me = await api.post('/api/v1/session');
  state.api = api;
  state.me = me;
  sessionStorage.setItem(TOKEN_KEY, token);
  showConsole();
  connect();
}

function showSignIn(message = '') {
  $('sign-in').hidden = false;
  $('nav').hidden = true;
  $('account').hidden = true;
  for (const view of document.querySelectorAll('.view')) view.hidden = true;
  $('sign-in-error').textContent = message;
  $('token').setAttribute('aria-invalid', message ? 'true' : 'false');
  $('token').focus();
}

function showConsole() {
  $('sign-in').hidden = true;
  $('token').value = '';
  $('nav').hidden = false;
  $('account').hidden = false;
  $('who').textContent = state.me.name && state.me.name !== state.me.approverId ? `${state.me.name} (${state.me.approverId})` : state.me.approverId;
  $('pools').textContent = state.me.pools.length
    ? `Your pools: ${state.me.pools.join(', ')} · policy ${state.me.policyVersion}`
    : 'You are in no pool of the current policy, so nothing will appear here.';
  showView('pending');
}

async function signOut() {
  try { await state.api?.del('/api/v1/session'); } catch { /* the cookie expires with the browser session anyway */ }
  sessionStorage.removeItem(TOKEN_KEY);
  disconnect();
  Object.assign(state, { api: null, me: null, approvals: new Map(), selected: new Set(), ui: new Map() });
  $('cards').replaceChildren();
  showSignIn();
}

// ---- live feed -------------------------------------------------------------------------------

function setLive(kind, text) {
  const live = $('live');
  live.dataset.state = kind;
  live.textContent = text;
}

function disconnect() {
  clearTimeout(state.retry);
  state.source?.close();
  state.source = null;
}

function connect() {
  disconnect();
  setLive('connecting', 'Connecting…');
  const source = new EventSource('/api/v1/events', { withCredentials: true });
  state.source = source;
  source.addEventListener('open', () => setLive('live', 'Live'));
  source.addEventListener('snapshot', (e) => {
    const data = JSON.parse(e.data);
    state.approvals = new Map(data.approvals.map((a) => [a.approvalId, a]));
    for (const id of [...state.selected]) if (!state.approvals.has(id)) state.selected.delete(id);
    renderAll();
  });
  source.addEventListener('approval', (e) => applyEvent(JSON.parse(e.data)));
  source.addEventListener('problem', () => setLive('down', 'Store unavailable, reconnecting…'));
  source.addEventListener('error', () => {
    if (source.readyState !== EventSource.CLOSED) {
      setLive('connecting', 'Reconnecting…');
      return;
    }
    // Closed for good (for instance the feed's cookie is gone): sign in again with the kept token, then reconnect.
    setLive('down', 'Disconnected, retrying…');
    state.retry = setTimeout(async () => {
      try {
        state.me = await state.api.post('/api/v1/session');
        connect();
      } catch (error) {
        if (error.status === 401) { sessionStorage.removeItem(TOKEN_KEY); disconnect(); showSignIn(error.message); } else connect();
      }
    }, 3000);
  });
}

const isOpen = (a) => ['PENDING', 'ESCALATED'].includes(stateName(a.state)) && state.me.pools.includes(a.pool);

function applyEvent(evt) {
  const approval = evt.approval;
  if (!approval) return;
  const known = state.approvals.get(approval.approvalId);
  if (known && Number(known.seq) >= Number(approval.seq)) return;
  if (isOpen(approval)) {
    upsert(approval);
    return;
  }
  if (known) {
    const actor = evt.actor?.startsWith('approver:') ? ` by ${evt.actor.slice('approver:'.length)}` : evt.actor === 'timer' ? ' by its deadline' : '';
    const where = stateName(approval.state) === 'ESCALATED' ? `escalated to ${approval.pool}` : stateName(approval.state).toLowerCase();
    remove(approval.approvalId, `${approval.request?.tool ?? 'An approval'} was ${where}${actor}.`);
  }
}

// ---- cards -----------------------------------------------------------------------------------

const sortKey = (a) => `${a.deadline ?? '9999'}|${a.createdAt ?? ''}|${a.approvalId}`;

function uiState(id) {
  if (!state.ui.has(id)) state.ui.set(id, { panel: null, values: {} });
  return state.ui.get(id);
}

const cardContext = {
  get me() { return state.me; },
  get selected() { return state.selected; },
  uiState,
  clearUiState: (id) => state.ui.delete(id),
  toggleSelected(id, on) {
    if (on) state.selected.add(id); else state.selected.delete(id);
    updateBatchBar();
  },
  decide: (id, body) => state.api.post(`/api/v1/approvals/${encodeURIComponent(id)}/decision`, body),
  announce,
  upsert(approval) {
    if (isOpen(approval)) upsert(approval);
    else remove(approval.approvalId);
  },
};

function cardElement(id) {
  return document.querySelector(`.card[data-approval-id="${CSS.escape(id)}"]`);
}

function renderAll() {
  const cards = [...state.approvals.values()].filter(isOpen).sort((a, b) => sortKey(a).localeCompare(sortKey(b)));
  $('cards').replaceChildren(...cards.map((a) => renderCard(a, cardContext)));
  updateCounts();
  applyFocus();
}

function upsert(approval) {
  const known = state.approvals.get(approval.approvalId);
  if (known && Number(known.seq) > Number(approval.seq)) return;
  state.approvals.set(approval.approvalId, approval);
  const fresh = renderCard(approval, cardContext);
  const old = cardElement(approval.approvalId);
  if (old) {
    // Keep the person's place: the focused field and its caret survive a live update.
    const active = old.contains(document.activeElement) ? document.activeElement : null;
    const focusId = active?.id;
    const caret = active && 'selectionStart' in active ? [active.selectionStart, active.selectionEnd] : null;
    const focused = old.classList.contains('focused');
    old.replaceWith(fresh);
    if (focused) fresh.classList.add('focused');
    if (focusId) {
      const again = document.getElementById(focusId);
      again?.focus();
      if (again && caret) try { again.setSelectionRange(caret[0], caret[1]); } catch { /* not a text field */ }
    }
  } else {
    const key = sortKey(approval);
    const after = [...$('cards').children].find((el) => sortKey(state.approvals.get(el.dataset.approvalId) ?? {}) > key);
    $('cards').insertBefore(fresh, after ?? null);
  }
  updateCounts();
  if (state.focus?.id === approval.approvalId) applyFocus();
}

function remove(id, message) {
  state.approvals.delete(id);
  state.selected.delete(id);
  state.ui.delete(id);
  const el = cardElement(id);
  if (el) {
    const hadFocus = el.contains(document.activeElement);
    el.remove();
    if (hadFocus) $('pending-title').focus?.();
  }
  if (message) announce(message);
  updateCounts();
}

function announce(text) {
  $('announce').textContent = text;
}

function updateCounts() {
  const open = [...state.approvals.values()].filter(isOpen).length;
  $('pending-count').textContent = String(open);
  $('empty').hidden = open > 0;
  updateBatchBar();
}

function updateBatchBar() {
  const count = state.selected.size;
  $('batch-bar').hidden = count === 0 && !$('batch-result').textContent;
  $('batch-count').textContent = `${count} selected`;
  $('batch-approve').disabled = count === 0;
  $('batch-approve').textContent = count > 1 ? `Approve ${count} selected` : 'Approve selected';
}

async function batchApprove() {
  const ids = [...state.selected];
  if (ids.length === 0) return;
  $('batch-approve').disabled = true;
  $('batch-result').textContent = '';
  try {
    const response = await state.api.post('/api/v1/approvals/batch-decision', { approvalIds: ids, verdict: 'APPROVE' });
    const failed = [];
    for (const result of response.results) {
      state.selected.delete(result.approvalId);
      if (result.code === 0 && result.approval) cardContext.upsert(result.approval);
      else failed.push(`${state.approvals.get(result.approvalId)?.request?.tool ?? result.approvalId}: ${result.message}`);
    }
    const applied = response.results.length - failed.length;
    $('batch-result').textContent = `${applied} approved.` + (failed.length ? ` Not applied — ${failed.join('; ')}` : '');
  } catch (error) {
    $('batch-result').textContent = error.message;
  }
  for (const box of document.querySelectorAll('.card .select')) box.checked = state.selected.has(box.closest('.card').dataset.approvalId);
  updateBatchBar();
}

function applyFocus() {
  if (!state.focus) return;
  const card = cardElement(state.focus.id);
  if (!card) return;
  document.querySelectorAll('.card.focused').forEach((el) => el.classList.remove('focused'));
  card.classList.add('focused');
  card.scrollIntoView({ block: 'center' });
  const action = state.focus.action;
  const button = action ? card.querySelector(`button[data-action="${CSS.escape(action)}"]`) : null;
  // A link never decides: it opens the reason form for a rejection and focuses the button otherwise.
  if (button && action === 'reject' && !button.disabled) button.click();
  else (button ?? card.querySelector('h2'))?.focus?.();
  state.focus = null;
}

// ---- views -----------------------------------------------------------------------------------

function showView(name) {
  for (const tab of document.querySelectorAll('.tab')) {
    if (tab.dataset.view === name) tab.setAttribute('aria-current', 'page'); else tab.removeAttribute('aria-current');
  }
  $('view-pending').hidden = name !== 'pending';
  $('view-history').hidden = name !== 'history';
  $('view-rules').hidden = name !== 'rules';
  if (name === 'history') loadHistory(state.api, $('history-since').value, $('history-table'), $('history-status'));
  if (name === 'rules') loadRules(state.api, $('rules-since').value, $('rules-table'), $('rules-status'));
}

// ---- wiring ----------------------------------------------------------------------------------

function start() {
  $('sign-in-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const token = $('token').value.trim();
    if (!token) {
      showSignIn('Paste your bearer token to sign in.');
      return;
    }
    const submit = event.submitter ?? $('sign-in-form').querySelector('button');
    submit.disabled = true;
    try {
      await signIn(token);
    } catch (error) {
      showSignIn(error.status === 401 ? `Sign-in refused: ${error.message}` : error.message);
    } finally {
      submit.disabled = false;
    }
  });
  $('sign-out').addEventListener('click', signOut);
  for (const tab of document.querySelectorAll('.tab')) tab.addEventListener('click', () => showView(tab.dataset.view));
  $('batch-approve').addEventListener('click', batchApprove);
  $('batch-clear').addEventListener('click', () => {
    state.selected.clear();
    $('batch-result').textContent = '';
    for (const box of document.querySelectorAll('.card .select')) box.checked = false;
    updateBatchBar();
  });
  $('history-refresh').addEventListener('click', () => showView('history'));
  $('history-since').addEventListener('change', () => showView('history'));
  $('rules-refresh').addEventListener('click', () => showView('rules'));
  $('rules-since').addEventListener('change', () => showView('rules'));
  window.addEventListener('hashchange', () => { state.focus = parseFocus(); applyFocus(); });
  setInterval(() => tickCountdowns(document), 1000);

  const kept = sessionStorage.getItem(TOKEN_KEY);
  if (kept) {
    signIn(kept).catch((error) => {
      sessionStorage.removeItem(TOKEN_KEY);
      showSignIn(error.message);
    });
  } else {
    showSignIn();
  }
}

start();
