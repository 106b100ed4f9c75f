// Small DOM helpers. Text always goes in through textContent: nothing the agent or a person wrote is parsed as HTML.

export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'text') el.textContent = value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key === 'style') Object.assign(el.style, value); // CSSOM, which the content security policy allows (style attributes it does not)
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (value === true) el.setAttribute(key, '');
    else el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
}

/** "APPROVAL_STATE_PENDING" -> "PENDING", "RISK_TIER_QUORUM" -> "QUORUM". */
export function enumName(value, prefix) {
  if (typeof value !== 'string') return '';
  return value.startsWith(prefix) ? value.slice(prefix.length) : value;
}

export const stateName = (v) => enumName(v, 'APPROVAL_STATE_');
export const tierName = (v) => enumName(v, 'RISK_TIER_').toLowerCase();
export const verdictName = (v) => enumName(v, 'DECISION_VERDICT_');

const VERDICT_WORDS = { APPROVE: 'approved', REJECT: 'rejected', EDIT_AND_APPROVE: 'edited and approved', ESCALATE: 'escalated' };
export const verdictWords = (v) => VERDICT_WORDS[verdictName(v)] ?? verdictName(v).toLowerCase();

export function pretty(value) {
  return JSON.stringify(value ?? {}, null, 2);
}

export function scalar(value) {
  if (value === undefined) return '—';
  if (typeof value === 'string') return JSON.stringify(value);
  return JSON.stringify(value);
}

const timeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
export function formatTime(iso) {
  if (!iso) return '';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : timeFormat.format(date);
}

/** "4m 05s left", "1h 12m left", or null when there is no deadline. */
export function countdown(iso, now = Date.now()) {
  if (!iso) return null;
  const ms = new Date(iso).getTime() - now;
  if (Number.isNaN(ms)) return null;
  if (ms <= 0) return { text: 'deadline passed', over: true, soon: false };
  const s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86400), hh = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
  const pad = (n) => String(n).padStart(2, '0');
  const text = d > 0 ? `${d}d ${hh}h left` : hh > 0 ? `${hh}h ${pad(m)}m left` : `${m}m ${pad(sec)}s left`;
  return { text, over: false, soon: ms < 60_000 };
}

export function shortId(id) {
  return id ? id.slice(0, 8) : '';
}
