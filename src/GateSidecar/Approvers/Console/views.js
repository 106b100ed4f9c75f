// The history and rules views: tables computed by the sidecar from the audit trail.
import { h, formatTime, shortId, verdictWords } from './dom.js';

export async function loadHistory(api, since, table, status) {
  status.textContent = 'Loading…';
  try {
    const result = await api.get(`/api/v1/history?since=${encodeURIComponent(since)}&limit=200`);
    const body = table.tBodies[0];
    body.replaceChildren(...result.decisions.map((d) => h('tr', {},
      h('td', { text: formatTime(d.at) }),
      h('td', {}, d.tool ? h('code', { text: d.tool }) : h('span', { class: 'muted', text: 'unknown' })),
      h('td', { text: d.approver }),
      h('td', {}, h('span', { class: `verdict verdict-${d.verdict}`, text: verdictWords(d.verdict) })),
      h('td', { text: d.reason || '—' }),
      h('td', { text: d.state.toLowerCase() }),
      h('td', {}, h('code', { title: d.approvalId, text: shortId(d.approvalId) })))));
    status.textContent = result.decisions.length ? `${result.decisions.length} decision${result.decisions.length === 1 ? '' : 's'}.` : 'No decisions in this window.';
  } catch (error) {
    status.textContent = error.message;
  }
}

export async function loadRules(api, since, table, status) {
  status.textContent = 'Loading…';
  try {
    const result = await api.get(`/api/v1/rules/stats?since=${encodeURIComponent(since)}`);
    const body = table.tBodies[0];
    body.replaceChildren(...result.rules.map((r) => {
      const percent = Math.round(r.shareApprovedUnchanged * 1000) / 10;
      return h('tr', { dataset: { rule: r.rule } },
        h('th', { scope: 'row' }, r.rule ? h('code', { text: r.rule }) : h('span', { class: 'muted', text: 'policy default' })),
        h('td', { class: 'num', text: r.decided }),
        h('td', { class: 'num', text: r.approvedUnchanged }),
        h('td', { class: 'num', text: r.approvedEdited }),
        h('td', { class: 'num', text: r.rejected }),
        h('td', {}, h('div', { class: 'share' },
          h('div', { class: 'progress-track', role: 'img', 'aria-label': `${percent}% approved unchanged` }, h('div', { class: 'progress-fill', style: { width: `${percent}%` } })),
          h('span', { class: 'num', text: `${percent}%` }))),
        h('td', {}, r.rubberStampCandidate ? h('span', { class: 'flag', text: 'Rubber-stamp candidate' }) : r.decided < result.minDecided ? h('span', { class: 'muted', text: `fewer than ${result.minDecided} decisions` }) : ''));
    }));
    const flagged = result.rules.filter((r) => r.rubberStampCandidate).length;
    status.textContent = result.rules.length
      ? `${result.rules.length} rule${result.rules.length === 1 ? '' : 's'} with decisions; ${flagged} flagged above ${Math.round(result.threshold * 100)}% approved unchanged.`
      : 'No decisions by people in this window.';
  } catch (error) {
    status.textContent = error.message;
  }
}
