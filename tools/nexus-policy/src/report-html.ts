import { createHash } from 'node:crypto';
import type { JournalVerdict } from '@nexus/audit';
import type { Rule } from '@nexus/sel';
import type { Coverage } from './coverage.js';
import type { LintWarning } from './lint-warning.js';
import type { MatrixCell, PolicyMatrix } from './report-matrix.js';
import { escapeHtml as h, journalText as j } from './report-escape.js';
import type { AuditTimeline, TimelineSubject } from './report-timeline.js';
import { ruleLocation } from './rule-location.js';

/** The audit part of a report: the file, its verdict and the key it was checked under. */
export interface ReportJournal {
  /** The path as the user typed it. */
  readonly path: string;
  readonly verdict: JournalVerdict;
  /** The verdict as `audit verify` prints it. */
  readonly verdictText: string;
  /** SHA-256 of the trust anchor's SPKI DER (hex), when `--key` was given. */
  readonly keyId: string | undefined;
  readonly timeline: AuditTimeline;
}

/** The fixture part of a report: how many cases passed, and per-rule coverage. */
export interface ReportCoverage {
  readonly path: string;
  readonly cases: number;
  readonly failed: number;
  readonly coverage: Coverage;
  /** Rules the lints say never take effect (why a fixture cannot cover them), by rule id. */
  readonly shadowed: ReadonlyMap<number, string>;
}

/** Everything a report shows. */
export interface ReportModel {
  readonly tool: string;
  readonly policyDir: string;
  readonly version: string;
  readonly ruleCount: number;
  readonly matrix: PolicyMatrix;
  readonly lint: readonly LintWarning[];
  readonly journal: ReportJournal | undefined;
  readonly coverage: ReportCoverage | undefined;
}

const STYLE = `
:root{--allow:#1a7f37;--deny:#cf222e;--restr:#9a6700;--none:#eaeef2;--uart:#fff1c2;--lost:#d8b9ff;--ink:#1f2328;--mute:#59636e}
*{box-sizing:border-box}body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--ink);margin:0 auto;max-width:1200px;padding:16px 24px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #d0d7de;padding-bottom:4px}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px}
.mute{color:var(--mute)}.verdict{border-radius:6px;padding:10px 14px;margin:12px 0;border:1px solid}
.verdict.ok{background:#dafbe1;border-color:var(--allow)}.verdict.unverified{background:#fff8c5;border-color:var(--restr)}.verdict.broken{background:#ffebe9;border-color:var(--deny)}
.verdict b{font-size:16px}table{border-collapse:collapse}th,td{padding:3px 6px;text-align:left;vertical-align:top}
.matrix{font-size:12px}.matrix th.svc{white-space:nowrap;font-weight:600}.matrix thead th{position:sticky;top:0;background:#fff}
.matrix .fam button{font:inherit;font-weight:600;cursor:pointer;background:#f6f8fa;border:1px solid #d0d7de;border-radius:4px;padding:1px 6px}
.matrix .cap-h{writing-mode:vertical-rl;transform:rotate(180deg);white-space:nowrap;font-weight:400;max-height:140px}
.c{position:relative;width:26px;height:22px;text-align:center;border:1px solid #fff;cursor:default}
.c.allow{background:var(--allow);color:#fff}.c.deny{background:var(--deny);color:#fff}.c.restricted{background:#f5d77a}.c.none{background:var(--none)}
.c.sum{width:44px}.c:focus{outline:2px solid #0969da;outline-offset:1px;z-index:2}
.tip{display:none;position:absolute;left:24px;top:18px;z-index:5;background:#fff;color:var(--ink);border:1px solid #8c959f;border-radius:6px;padding:6px 8px;width:max-content;max-width:520px;text-align:left;box-shadow:0 4px 12px rgba(0,0,0,.15);white-space:pre-wrap}
.c:hover .tip,.c:focus .tip{display:block}
.cap[hidden]{display:none}.legend span{display:inline-block;margin-right:14px}.sw{display:inline-block;width:12px;height:12px;vertical-align:-1px;margin-right:4px;border-radius:2px}
.list td,.list th{border-bottom:1px solid #eaeef2;font-size:13px}.list th{background:#f6f8fa}.deny-row td:first-child{border-left:3px solid var(--deny)}
.warn{color:var(--restr)}svg text{font:11px system-ui,sans-serif;fill:var(--ink)}
@media print{.cap[hidden]{display:table-cell}.c.sum{display:none}.tip{display:none!important}body{max-width:none}}
`;

// The only script: expands and collapses capability families. It reads nothing from the page but
// the data-f indices the generator wrote, so no journal text can reach it.
const SCRIPT = `document.querySelectorAll('button[data-fam]').forEach(function(b){b.addEventListener('click',function(){var f=b.getAttribute('data-fam');var open=b.getAttribute('aria-expanded')!=='true';b.setAttribute('aria-expanded',open?'true':'false');document.querySelectorAll('[data-f="'+f+'"]').forEach(function(e){if(e.classList.contains('sum')){e.hidden=open}else{e.hidden=!open}});var th=b.parentElement;th.colSpan=open?Number(th.getAttribute('data-n')):1;});});`;

/**
 * Renders a report as one self-contained HTML document: inline CSS, SVG and one small script, and
 * a Content-Security-Policy that forbids every request and every script but that one (by hash), so
 * the file works from `file://` and cannot load or send anything even if an escape were missed.
 * Every string taken from a journal goes through `journalText`; policy text through `escapeHtml`.
 *
 * @example
 * await writeFile('report.html', renderReport(model));
 */
export function renderReport(model: ReportModel): string {
  const scriptHash = createHash('sha256').update(SCRIPT).digest('base64');
  const csp = `default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-${scriptHash}'; img-src data:; base-uri 'none'; form-action 'none'`;
  const parts: string[] = [];
  parts.push(
    `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${h(csp)}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1"><meta name="referrer" content="no-referrer">',
    `<title>Nexus policy report</title><style>${STYLE}</style></head><body>`,
    `<h1>Nexus policy report</h1><p class="mute">Generated by ${h(model.tool)} · policy <code>${h(model.policyDir)}</code> · version <code id="policy-version">${h(model.version)}</code> · ${model.ruleCount} rules</p>`,
  );
  parts.push(verdictBlock(model.journal));
  parts.push(matrixSection(model.matrix));
  parts.push(lintSection(model.lint));
  if (model.journal !== undefined) parts.push(timelineSection(model.journal, model.version));
  if (model.coverage !== undefined) parts.push(coverageSection(model.coverage));
  parts.push(`<script>${SCRIPT}</script></body></html>\n`);
  return parts.join('');
}

function verdictBlock(journal: ReportJournal | undefined): string {
  if (journal === undefined) return '<div class="verdict unverified" id="verdict"><b>No audit journal</b> (give --journal FILE to include one)</div>';
  const v = journal.verdict;
  const path = `<code>${j(journal.path)}</code>`;
  const key = journal.keyId === undefined ? 'no key given' : `key <code>sha256:${h(journal.keyId)}</code>`;
  let head: string;
  if (v.status === 'ok') head = `<b>Verified</b> ${path} under ${key}: ${v.records} records, verified through seq ${v.verifiedThrough} (${v.seals} seals)`;
  else if (v.status === 'unverified') head = `<b>UNVERIFIED</b> ${path} (${h(v.reason)}; ${key}): ${j(v.detail)}`;
  else head = `<b>BROKEN</b> ${path} at line ${v.line}${v.seq === 0n ? '' : ` (seq ${v.seq})`}: ${h(v.kind)}: ${j(v.detail)}`;
  return `<div class="verdict ${v.status}" id="verdict" data-status="${v.status}">${head}<pre class="mono">${journal.verdictText.split('\n').map(j).join('\n')}</pre></div>`;
}

function ruleText(rule: Rule): string {
  return `${rule.effect} ${rule.service} ${rule.pattern}  (${ruleLocation(rule)})`;
}

function cellTip(service: string, cell: MatrixCell): string {
  const lines = [`${service} × ${cell.capability}: ${cell.state === 'none' ? 'no rule (denied by default)' : cell.state}`];
  if (cell.deciding !== undefined) lines.push(`decided by: ${ruleText(cell.deciding)}`);
  for (const t of cell.targets) lines.push(`@${t.target}: ${t.allow ? 'allow' : 'deny'}${t.rule === undefined ? ' (no rule)' : ` by ${ruleText(t.rule)}`}`);
  const others = cell.rules.filter((r) => r !== cell.deciding && !cell.targets.some((t) => t.rule === r));
  for (const r of others) lines.push(`also: ${ruleText(r)}`);
  return lines.join('\n');
}

const MARK: Readonly<Record<MatrixCell['state'], string>> = { allow: '✓', deny: '✕', restricted: '@', none: '' };

function matrixSection(matrix: PolicyMatrix): string {
  const out: string[] = ['<h2 id="matrix">Policy matrix</h2>'];
  out.push(
    '<p class="legend"><span><i class="sw" style="background:var(--allow)"></i>allow</span><span><i class="sw" style="background:var(--deny)"></i>deny rule</span>',
    '<span><i class="sw" style="background:#f5d77a"></i>restricted (only named targets)</span><span><i class="sw" style="background:var(--none)"></i>no rule (default deny)</span>',
    '<span class="mute">Click a family to expand it; hover or focus a cell for its rules.</span></p>',
  );
  out.push('<table class="matrix" id="policy-matrix"><thead><tr><th></th>');
  matrix.families.forEach((f, i) => {
    out.push(`<th class="fam" colspan="1" data-n="${f.capabilities.length}"><button type="button" data-fam="${i}" aria-expanded="false">${h(f.name)} (${f.capabilities.length})</button></th>`);
  });
  out.push('</tr><tr><th></th>');
  matrix.families.forEach((f, i) => {
    out.push(`<th class="c sum" data-f="${i}"></th>`);
    for (const cap of f.capabilities) out.push(`<th class="cap cap-h" data-f="${i}" hidden>${h(cap)}</th>`);
  });
  out.push('</tr></thead><tbody>');
  for (const row of matrix.rows) {
    out.push(`<tr><th class="svc" scope="row">${h(row.service)}</th>`);
    let k = 0;
    matrix.families.forEach((f, i) => {
      const cells = row.cells.slice(k, k + f.capabilities.length);
      k += f.capabilities.length;
      const allowed = cells.filter((c) => c.state === 'allow').length;
      const restricted = cells.filter((c) => c.state === 'restricted').length;
      const denied = cells.filter((c) => c.state === 'deny').length;
      const state = allowed > 0 ? 'allow' : restricted > 0 ? 'restricted' : denied > 0 ? 'deny' : 'none';
      const summary = `${row.service} × ${f.name}.*: ${allowed} allowed, ${restricted} restricted, ${denied} denied by rule, of ${cells.length}\n${cells
        .filter((c) => c.state !== 'none')
        .map((c) => `  ${c.capability}: ${c.state}`)
        .join('\n')}`;
      out.push(`<td class="c sum ${state}" data-f="${i}" tabindex="0">${allowed + restricted > 0 ? `${allowed + restricted}/${cells.length}` : ''}<span class="tip">${h(summary)}</span></td>`);
      for (const cell of cells) {
        out.push(
          `<td class="c cap ${cell.state}" data-f="${i}" data-cell="${h(`${row.service} ${cell.capability}`)}" tabindex="0" hidden>${MARK[cell.state]}<span class="tip">${h(cellTip(row.service, cell))}</span></td>`,
        );
      }
    });
    out.push('</tr>');
  }
  out.push('</tbody></table>');
  return out.join('');
}

function lintSection(lint: readonly LintWarning[]): string {
  if (lint.length === 0) return '<h2 id="lint">Lint</h2><p>No lint warnings.</p>';
  const rows = lint.map((w) => `<tr><td class="mono">${h(ruleLocation(w.rule))}</td><td class="warn">${h(w.kind)}</td><td>${h(w.message)}</td></tr>`);
  return `<h2 id="lint">Lint warnings (${lint.length})</h2><table class="list"><tr><th>where</th><th>kind</th><th>message</th></tr>${rows.join('')}</table>`;
}

const ROW_H = 18;
const LABEL_W = 170;
const PLOT_W = 800;

function timelineSection(journal: ReportJournal, policyVersion: string): string {
  const t = journal.timeline;
  const out: string[] = ['<h2 id="timeline">Audit timeline</h2>'];
  const seconds = (ns: bigint): string => `${ns / 1_000_000_000n}.${((ns % 1_000_000_000n) / 1_000_000n).toString().padStart(3, '0')}s`;
  out.push(
    `<p>${t.records} records (seq ${t.firstSeq}..${t.lastSeq}, ${seconds(t.firstNs)}..${seconds(t.lastNs)}): ${t.decisions} decisions, <b style="color:var(--deny)">${t.denies} denied</b>; `,
    `${t.bands.filter((b) => b.kind === 'uart').length} UART period(s), ${t.bands.filter((b) => b.kind !== 'uart').length} declared loss(es), `,
    `${t.checkpoints.filter((c) => c.sealed).length} sealed and ${t.checkpoints.filter((c) => !c.sealed).length} unsealed checkpoint(s).</p>`,
  );
  const foreign = t.versions.filter((v) => v !== policyVersion);
  if (foreign.length > 0) {
    out.push(`<p class="warn">Decisions were made under ${foreign.length} other policy version(s) than this policy's: ${foreign.map((v) => `<code>${j(v)}</code>`).join(', ')}</p>`);
  }
  out.push(
    '<p class="legend"><span><i class="sw" style="background:#8c959f"></i>allowed</span><span><i class="sw" style="background:var(--deny)"></i>denied</span>',
    '<span><i class="sw" style="background:var(--uart);border:1px solid #d4a72c"></i>records on the UART</span><span><i class="sw" style="background:var(--lost)"></i>declared loss / eviction</span>',
    '<span><i class="sw" style="background:var(--allow)"></i>sealed checkpoint</span><span><i class="sw" style="background:#8c959f"></i>unsealed checkpoint (dashed)</span></p>',
  );
  out.push(timelineSvg(t));
  const notes: string[] = [];
  if (t.otherSubjects > 0) notes.push(`${t.otherSubjects} less busy subject(s) are folded into the last row.`);
  if (t.bandsOmitted > 0) notes.push(`${t.bandsOmitted} more band(s) are not drawn.`);
  if (t.checkpointsOmitted > 0) notes.push(`${t.checkpointsOmitted} more checkpoint(s) are not drawn.`);
  if (notes.length > 0) out.push(`<p class="mute">${notes.join(' ')}</p>`);
  out.push(bandTable(t));
  out.push(denyTable(t));
  return out.join('');
}

function timelineSvg(t: AuditTimeline): string {
  const rows = t.subjects.length;
  const height = Math.max(1, rows) * ROW_H + 30;
  const width = LABEL_W + PLOT_W + 10;
  const span = t.lastSeq >= t.firstSeq ? t.lastSeq - t.firstSeq + 1n : 1n;
  const x = (seq: bigint): number => LABEL_W + (Number(seq - t.firstSeq) / Number(span)) * PLOT_W;
  const binW = PLOT_W / Math.max(1, t.bins);
  const top = rows * ROW_H;
  const out: string[] = [`<svg id="timeline-svg" role="img" aria-label="decisions per subject over seq" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" xmlns="http://www.w3.org/2000/svg">`];
  // UART periods first, so a loss inside one (the UART budget ran out) is drawn over it.
  const ordered = [...t.bands.filter((b) => b.kind === 'uart'), ...t.bands.filter((b) => b.kind !== 'uart')];
  for (const b of ordered) {
    const x0 = x(b.fromSeq < t.firstSeq ? t.firstSeq : b.fromSeq);
    const x1 = x((b.toSeq > t.lastSeq ? t.lastSeq : b.toSeq) + 1n);
    const fill = b.kind === 'uart' ? 'var(--uart)' : 'var(--lost)';
    const edge = b.kind === 'uart' ? '#d4a72c' : '#8250df';
    const what = b.kind === 'uart' ? `records on the UART, seq ${b.fromSeq}..${b.toSeq}` : `${b.kind}: seq ${b.fromSeq}..${b.toSeq} (${b.count} records) declared missing`;
    out.push(`<rect class="band band-${b.kind}" x="${x0.toFixed(1)}" y="0" width="${Math.max(2, x1 - x0).toFixed(1)}" height="${top}" fill="${fill}" stroke="${edge}" stroke-dasharray="${b.kind === 'uart' ? '' : '4 2'}"><title>${h(what)}</title></rect>`);
  }
  t.subjects.forEach((s, i) => {
    const y = i * ROW_H;
    out.push(`<text x="${LABEL_W - 6}" y="${y + 13}" text-anchor="end">${subjectLabel(s)}</text>`);
    out.push(`<line x1="${LABEL_W}" x2="${LABEL_W + PLOT_W}" y1="${y + ROW_H - 0.5}" y2="${y + ROW_H - 0.5}" stroke="#eaeef2"/>`);
    const max = Math.max(1, ...s.allowBins.map((a, k) => a + (s.denyBins[k] ?? 0)));
    for (let k = 0; k < t.bins; k++) {
      const allow = s.allowBins[k] ?? 0;
      const deny = s.denyBins[k] ?? 0;
      if (allow + deny === 0) continue;
      const hAll = Math.max(2, ((allow + deny) / max) * (ROW_H - 4));
      const hDeny = deny === 0 ? 0 : Math.max(2, (deny / max) * (ROW_H - 4));
      const bx = (LABEL_W + k * binW).toFixed(1);
      const bw = Math.max(1, binW - 0.5).toFixed(1);
      const tip = `${s.label}: ${allow} allowed, ${deny} denied in this slice`;
      out.push(`<g class="bin${deny > 0 ? ' has-deny' : ''}"><title>${j(tip)}</title>`);
      out.push(`<rect x="${bx}" y="${(y + ROW_H - 2 - hAll).toFixed(1)}" width="${bw}" height="${(hAll - hDeny).toFixed(1)}" fill="#8c959f"/>`);
      if (deny > 0) out.push(`<rect class="deny" x="${bx}" y="${(y + ROW_H - 2 - hDeny).toFixed(1)}" width="${bw}" height="${hDeny.toFixed(1)}" fill="var(--deny)"/>`);
      out.push('</g>');
    }
  });
  for (const c of t.checkpoints) {
    const cx = x(c.seq).toFixed(1);
    const what = `${c.sealed ? 'sealed' : 'unsealed'} checkpoint at seq ${c.seq}, covering through seq ${c.headSeq}`;
    out.push(
      `<line class="checkpoint ${c.sealed ? 'sealed' : 'unsealed'}" x1="${cx}" x2="${cx}" y1="0" y2="${top + 4}" stroke="${c.sealed ? 'var(--allow)' : '#8c959f'}" stroke-width="2"${c.sealed ? '' : ' stroke-dasharray="3 2"'}><title>${h(what)}</title></line>`,
    );
  }
  out.push(`<text x="${LABEL_W}" y="${top + 20}">seq ${t.firstSeq}</text><text x="${LABEL_W + PLOT_W}" y="${top + 20}" text-anchor="end">seq ${t.lastSeq}</text>`);
  out.push('</svg>');
  return out.join('');
}

/** A subject's label: a policy name is policy text; anything else is a hex id the tool formatted. */
function subjectLabel(s: TimelineSubject): string {
  return s.named ? h(s.label) : `<tspan class="mono">${h(s.label)}</tspan>`;
}

function bandTable(t: AuditTimeline): string {
  const rows: string[] = [];
  for (const b of t.bands) {
    const what = b.kind === 'uart' ? 'records went to the UART (logd unavailable)' : `${b.count} record(s) declared ${b.kind === 'audit-lost' ? 'lost' : 'evicted'}`;
    rows.push(`<tr class="band-row" data-kind="${b.kind}"><td>${b.kind}</td><td class="mono">${b.fromSeq}..${b.toSeq}</td><td>${what}</td></tr>`);
  }
  for (const c of t.checkpoints) {
    rows.push(`<tr class="cp-row" data-sealed="${c.sealed}"><td>${c.sealed ? 'sealed checkpoint' : 'UNSEALED checkpoint'}</td><td class="mono">${c.seq}</td><td>covers through seq ${c.headSeq}</td></tr>`);
  }
  if (rows.length === 0) return '<p>No sink switches, losses or checkpoints.</p>';
  return `<details open><summary>Sink periods, losses and checkpoints (${rows.length})</summary><table class="list"><tr><th>what</th><th>seq</th><th></th></tr>${rows.join('')}</table></details>`;
}

function denyTable(t: AuditTimeline): string {
  if (t.denyGroups.length === 0) return '<h2 id="denies">Denies</h2><p>No denied decision.</p>';
  const rows = t.denyGroups.map(
    (g) =>
      `<tr class="deny-row"><td>${j(g.subject)}</td><td class="mono">${j(g.action)}</td><td class="mono">${g.target === undefined ? '-' : j(g.target)}</td><td>${j(g.reason)}</td><td class="mono">${g.rule === undefined ? '-' : j(g.rule)}</td><td>${g.count}</td><td class="mono">${g.firstSeq}..${g.lastSeq}</td></tr>`,
  );
  const more: string[] = [];
  if (t.denyGroupsOmitted > 0) more.push(`${t.denyGroupsOmitted} smaller group(s) not shown`);
  if (t.denyUngrouped > 0) more.push(`${t.denyUngrouped} deny(s) past the group bound not grouped`);
  return `<h2 id="denies">Denies (${t.denies}, grouped)</h2><table class="list" id="deny-table"><tr><th>subject</th><th>action</th><th>target</th><th>reason</th><th>rule</th><th>count</th><th>seq</th></tr>${rows.join('')}</table>${
    more.length === 0 ? '' : `<p class="mute">${more.join('; ')}.</p>`
  }`;
}

function coverageSection(c: ReportCoverage): string {
  const { coverage } = c;
  const rows = coverage.rules.map((entry) => {
    const why = entry.cases > 0 ? `${entry.cases} case(s)` : (c.shadowed.get(entry.rule.id) ?? 'no fixture case is decided by this rule');
    return `<tr class="${entry.cases > 0 ? 'covered' : 'uncovered'}"><td class="mono">${h(ruleLocation(entry.rule))}</td><td>${h(`${entry.rule.effect} ${entry.rule.service} ${entry.rule.pattern}`)}</td><td>${
      entry.cases > 0 ? '<span style="color:var(--allow)">covered</span>' : '<span class="warn">not covered</span>'
    }</td><td>${h(why)}</td></tr>`;
  });
  return `<h2 id="coverage">Fixture coverage</h2><p><code>${h(c.path)}</code>: ${c.cases - c.failed} of ${c.cases} case(s) pass${
    c.failed > 0 ? ` (<b style="color:var(--deny)">${c.failed} fail</b>)` : ''
  }; ${coverage.covered}/${coverage.total} rules exercised.</p><table class="list" id="coverage-table"><tr><th>rule</th><th></th><th></th><th>why</th></tr>${rows.join('')}</table>`;
}
