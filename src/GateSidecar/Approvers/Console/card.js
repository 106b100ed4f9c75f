// One pending approval as a card: what the agent wants to do, why it was stopped, what it would change,
// and the decisions so far; with approve, reject, edit-then-approve and escalate.
import { h, append, stateName, tierName, verdictName, verdictWords, pretty, scalar, formatTime, countdown } from './dom.js';
import { diffJson, proposalAgainstCurrent } from './diff.js';

const keyOf = (id) => String(id).replace(/[^A-Za-z0-9_-]/g, '_');

/** Decisions that count now: after the last edit (which counts) or manual escalation (which does not). */
function countingDecisions(approval) {
  const decisions = approval.decisions ?? [];
  let from = 0;
  decisions.forEach((d, i) => {
    const v = verdictName(d.verdict);
    if (v === 'EDIT_AND_APPROVE') from = i;
    if (v === 'ESCALATE') from = i + 1;
  });
  return decisions.slice(from);
}

function approvalsSoFar(approval) {
  const approvers = new Set();
  for (const d of countingDecisions(approval)) {
    const v = verdictName(d.verdict);
    if (v === 'APPROVE' || v === 'EDIT_AND_APPROVE') approvers.add(d.approver);
  }
  return approvers.size;
}

function diffTable(rows, beforeLabel, afterLabel, caption) {
  return h('table', { class: 'diff' },
    h('caption', { class: 'visually-hidden', text: caption }),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col', text: 'Field' }), h('th', { scope: 'col', text: beforeLabel }), h('th', { scope: 'col', text: afterLabel }))),
    h('tbody', {}, rows.map((r) => h('tr', { class: r.kind },
      h('th', { scope: 'row', class: 'mono', text: r.path }),
      h('td', { class: 'before', text: scalar(r.before) }),
      h('td', { class: 'after', text: scalar(r.after) })))));
}

function facts(pairs) {
  return h('dl', { class: 'facts' }, pairs.filter(([, v]) => v !== undefined && v !== null && v !== '').map(([k, v]) => [h('dt', { text: k }), h('dd', {}, v)]));
}

function section(title, ...content) {
  return h('section', { class: 'block' }, h('h3', { text: title }), ...content);
}

export function renderCard(approval, ctx) {
  const id = approval.approvalId;
  const key = keyOf(id);
  const request = approval.request ?? {};
  const agent = request.agent ?? {};
  const context = request.context ?? {};
  const state = stateName(approval.state);
  const tier = tierName(approval.tier);
  const quorum = Math.max(1, approval.quorum || 1);
  const approved = approvalsSoFar(approval);
  const me = ctx.me.approverId;
  const ui = ctx.uiState(id);
  const mine = countingDecisions(approval).find((d) => d.approver === me);
  const ownCall = agent.onBehalfOf && agent.onBehalfOf === me;
  const blocked = Boolean(mine || ownCall);

  const errorLine = h('p', { class: 'card-error', id: `error-${key}`, role: 'alert' });
  const card = h('article', { class: 'card', id: `card-${key}`, 'aria-labelledby': `title-${key}`, dataset: { approvalId: id, state } });

  // Header: selection, tool, state, deadline.
  const select = h('input', { type: 'checkbox', class: 'select', id: `select-${key}`, disabled: blocked, dataset: { decides: 'true' }, 'aria-describedby': `title-${key}` });
  select.checked = ctx.selected.has(id);
  select.addEventListener('change', () => ctx.toggleSelected(id, select.checked));
  const clock = countdown(approval.deadline);
  const head = h('header', { class: 'card-head' },
    select, h('label', { for: `select-${key}`, class: 'visually-hidden', text: `Select ${request.tool} for batch approval` }),
    h('h2', { id: `title-${key}` }, h('code', { text: request.tool || '(no tool)' })),
    h('span', { class: 'badges' },
      h('span', { class: `badge state-${state}`, text: state }),
      h('span', { class: `badge tier-${tier}`, text: tier === 'quorum' ? `quorum of ${quorum}` : tier }),
      approval.escalationLevel > 0 ? h('span', { class: 'badge escalation', text: `escalation level ${approval.escalationLevel}` }) : null),
    clock ? h('span', { class: `countdown${clock.over ? ' over' : clock.soon ? ' soon' : ''}`, dataset: { deadline: approval.deadline }, title: `Deadline ${formatTime(approval.deadline)}`, text: clock.text }) : null);

  const why = h('p', { class: 'why' }, h('strong', { text: 'Why it was stopped: ' }), approval.reason || 'the policy default applies to this tool');

  const who = facts([
    ['Rule', approval.rule ? h('code', { text: approval.rule }) : 'policy default'],
    ['Policy version', approval.policyVersion],
    ['Pool', approval.pool],
    ['Acts for', agent.onBehalfOf || '(not given)'],
    ['Agent', agent.agentId],
    ['Tenant', agent.tenant],
    ['Session', agent.sessionId],
    ['Credential', agent.credentialRef],
    ['Created', formatTime(approval.createdAt)],
    ['Deadline', formatTime(approval.deadline)],
  ]);

  const impact = (approval.impact ?? []).length
    ? section('Impact', h('ul', { class: 'impact' }, approval.impact.map((item) => h('li', {}, h('span', { text: item.label }), item.value))))
    : null;

  const args = section('Arguments', h('pre', { class: 'json', tabindex: '0', 'aria-label': 'Arguments as JSON' }, h('code', { text: pretty(request.arguments) })));

  const hasCurrent = request.current && Object.keys(request.current).length > 0;
  const change = hasCurrent
    ? section('Change: current → proposal', diffTable(proposalAgainstCurrent(request.current, request.arguments), 'Current', 'Proposal', 'Current state against the proposal'))
    : null;
  const edits = approval.edited && (approval.diff ?? []).length
    ? section('Edited: proposal → what will run', diffTable(diffJson(request.arguments, approval.finalArguments), 'Proposal', 'Edited', 'Proposal against the edit'))
    : null;

  const alternatives = (context.alternatives ?? []).length
    ? [h('p', { class: 'label', text: 'Alternatives considered' }), h('ul', { class: 'alternatives' }, context.alternatives.map((alt) => h('li', {}, alt.summary, alt.whyNot ? h('span', { class: 'why-not' }, ' — not taken: ', alt.whyNot) : null)))]
    : null;
  const contextBlock = section('The agent\'s context',
    h('div', { class: 'context' },
      context.userRequest ? [h('p', { class: 'label', text: 'The user asked' }), h('blockquote', { text: context.userRequest })] : null,
      context.reasoning ? [h('p', { class: 'label', text: 'The agent\'s reasoning' }), h('p', { text: context.reasoning })] : null,
      typeof context.confidence === 'number' ? h('p', {}, h('span', { class: 'label', text: 'Confidence ' }), `${Math.round(context.confidence * 100)}%`) : null,
      (context.retrieved ?? []).length ? [h('p', { class: 'label', text: 'Retrieved' }), h('ul', { class: 'retrieved' }, context.retrieved.map((r) => h('li', { text: r })))] : null,
      alternatives,
      !context.userRequest && !context.reasoning && !alternatives ? h('p', { class: 'muted', text: 'The agent gave no context.' }) : null));

  const decisions = approval.decisions ?? [];
  const progress = section(`Decisions · ${approved} of ${quorum} approval${quorum > 1 ? 's' : ''}`,
    h('div', { class: 'progress' },
      h('div', { class: 'progress-track', role: 'progressbar', 'aria-label': 'Approvals so far', 'aria-valuemin': '0', 'aria-valuemax': String(quorum), 'aria-valuenow': String(approved), 'aria-valuetext': `${approved} of ${quorum} approvals` },
        h('div', { class: 'progress-fill', style: { width: `${Math.min(100, (approved / quorum) * 100)}%` } })),
      h('span', { class: 'quorum-progress', text: `${approved} of ${quorum} approvals` })),
    decisions.length
      ? h('ol', { class: 'decisions' }, decisions.map((d) => h('li', {},
        h('strong', { text: d.approver }), ' ',
        h('span', { class: `verdict verdict-${verdictName(d.verdict)}`, text: verdictWords(d.verdict) }),
        d.reason ? ` — “${d.reason}”` : '',
        h('span', { class: 'muted' }, ` · ${formatTime(d.at)}`))))
      : h('p', { class: 'muted', text: 'No decisions yet.' }));

  const notes = [];
  if (ownCall) notes.push(h('p', { class: 'note', text: 'This call was made on your behalf: someone else in the pool must decide it.' }));
  else if (mine) notes.push(h('p', { class: 'note', text: `You ${verdictWords(mine.verdict)} this call; ${quorum - approved} more approval${quorum - approved === 1 ? '' : 's'} needed from others.` }));

  // Actions and their panels.
  const panels = {};
  const actions = h('div', { class: 'actions', role: 'group', 'aria-label': `Decide on ${request.tool}` });
  const busy = (on) => card.querySelectorAll('button, textarea, input').forEach((el) => { if (!el.dataset.keep) el.disabled = on || (blocked && el.dataset.decides === 'true'); });

  async function decide(body, doneText) {
    errorLine.textContent = '';
    busy(true);
    try {
      const result = await ctx.decide(id, body);
      ctx.clearUiState(id);
      ctx.announce(doneText);
      ctx.upsert(result);
    } catch (error) {
      errorLine.textContent = error.message;
      busy(false);
    }
  }

  function openPanel(name) {
    for (const [n, panel] of Object.entries(panels)) panel.hidden = n !== name;
    ui.panel = name;
    const first = name && panels[name].querySelector('textarea, input');
    if (first) first.focus();
  }

  const button = (text, cls, onClick, extra = {}) => h('button', { type: 'button', class: `button ${cls}`, onclick: onClick, disabled: blocked, dataset: { decides: 'true' }, ...extra }, text);

  actions.append(
    button('Approve', 'primary', () => decide({ verdict: 'APPROVE' }, `Approved ${request.tool}.`), { 'data-action': 'approve' }),
    button('Edit & approve', '', () => openPanel('edit'), { 'data-action': 'edit', 'aria-expanded': String(ui.panel === 'edit'), 'aria-controls': `panel-edit-${key}` }),
    button('Reject', 'danger', () => openPanel('reject'), { 'data-action': 'reject', 'aria-expanded': String(ui.panel === 'reject'), 'aria-controls': `panel-reject-${key}` }),
    button('Escalate', '', () => openPanel('escalate'), { 'data-action': 'escalate', 'aria-expanded': String(ui.panel === 'escalate'), 'aria-controls': `panel-escalate-${key}` }));

  panels.reject = reasonPanel('reject', 'Reason for rejecting (required)', 'Reject', 'danger solid', 'Give a reason to reject: the agent and the audit trail keep it.',
    (reason) => decide({ verdict: 'REJECT', reason }, `Rejected ${request.tool}.`));
  panels.escalate = reasonPanel('escalate', 'Reason for escalating (required)', 'Escalate', 'primary', 'Give a reason to escalate: the next pool reads it.',
    (reason) => decide({ verdict: 'ESCALATE', reason }, `Escalated ${request.tool}.`));
  panels.edit = editPanel();

  function reasonPanel(name, labelText, submitText, submitClass, missing, submit) {
    const fieldId = `${name}-reason-${key}`;
    const hint = h('p', { class: 'form-error', id: `${fieldId}-error`, role: 'alert' });
    const field = h('textarea', { id: fieldId, rows: '3', required: true, 'aria-describedby': `${fieldId}-error` });
    field.value = ui.values[name] ?? '';
    field.addEventListener('input', () => { ui.values[name] = field.value; field.removeAttribute('aria-invalid'); hint.textContent = ''; });
    const form = h('form', { class: 'panel', id: `panel-${name}-${key}`, novalidate: true, hidden: ui.panel !== name },
      h('label', { for: fieldId, text: labelText }), field, hint,
      h('div', { class: 'row' },
        h('button', { type: 'submit', class: `button ${submitClass}`, dataset: { decides: 'true' }, disabled: blocked }, submitText),
        h('button', { type: 'button', class: 'button quiet', dataset: { keep: 'true' }, onclick: () => openPanel(null) }, 'Cancel')));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const reason = field.value.trim();
      if (!reason) {
        hint.textContent = missing;
        field.setAttribute('aria-invalid', 'true');
        field.focus();
        return;
      }
      submit(reason);
    });
    return form;
  }

  function editPanel() {
    const fieldId = `edit-args-${key}`;
    const status = h('p', { class: 'hint', id: `${fieldId}-status`, role: 'status' });
    const field = h('textarea', { id: fieldId, class: 'code', spellcheck: 'false', rows: '12', 'aria-describedby': `${fieldId}-status` });
    field.value = ui.values.edit ?? pretty(approval.finalArguments ?? request.arguments);
    const liveDiff = h('div', { class: 'live-diff', 'aria-live': 'polite' });
    const reason = h('input', { type: 'text', id: `edit-reason-${key}` });
    reason.value = ui.values.editReason ?? '';
    reason.addEventListener('input', () => { ui.values.editReason = reason.value; });
    const submit = h('button', { type: 'submit', class: 'button primary', dataset: { decides: 'true' }, disabled: blocked }, 'Approve edited call');
    let parsed = null;

    function validate() {
      ui.values.edit = field.value;
      liveDiff.replaceChildren();
      try {
        const value = JSON.parse(field.value);
        if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('the arguments must be a JSON object { … }');
        parsed = value;
        const rows = diffJson(request.arguments, value);
        field.removeAttribute('aria-invalid');
        status.textContent = rows.length ? `${rows.length} change${rows.length === 1 ? '' : 's'} from the proposal. "***" keeps a redacted value.` : 'No change from the proposal yet. "***" keeps a redacted value.';
        status.className = 'hint';
        if (rows.length) liveDiff.append(diffTable(rows, 'Proposal', 'Edited', 'Proposal against your edit'));
        submit.disabled = blocked;
      } catch (error) {
        parsed = null;
        field.setAttribute('aria-invalid', 'true');
        status.textContent = `Invalid JSON: ${error.message}. Fix it to approve.`;
        status.className = 'form-error';
        submit.disabled = true;
      }
    }
    field.addEventListener('input', validate);

    const form = h('form', { class: 'panel', id: `panel-edit-${key}`, novalidate: true, hidden: ui.panel !== 'edit' },
      h('label', { for: fieldId, text: 'Arguments to execute (JSON)' }), field, status, liveDiff,
      h('label', { for: `edit-reason-${key}`, text: 'Reason (optional)' }), reason,
      h('div', { class: 'row' }, submit, h('button', { type: 'button', class: 'button quiet', dataset: { keep: 'true' }, onclick: () => openPanel(null) }, 'Cancel')));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      validate();
      if (!parsed) { field.focus(); return; }
      decide({ verdict: 'EDIT_AND_APPROVE', editedArguments: parsed, reason: reason.value.trim() }, `Approved an edited ${request.tool}.`);
    });
    validate();
    return form;
  }

  append(card, [head, why,
    h('div', { class: 'grid' }, h('div', {}, section('Who and what', who), impact), h('div', {}, args, change, edits)),
    h('div', { class: 'grid' }, h('div', {}, contextBlock), h('div', {}, progress, notes)),
    actions, panels.edit, panels.reject, panels.escalate, errorLine]);
  return card;
}

/** Refreshes every countdown on the page (once a second). */
export function tickCountdowns(root) {
  const now = Date.now();
  root.querySelectorAll('.countdown[data-deadline]').forEach((el) => {
    const clock = countdown(el.dataset.deadline, now);
    if (!clock) return;
    el.textContent = clock.text;
    el.classList.toggle('over', clock.over);
    el.classList.toggle('soon', clock.soon);
  });
}
