// The evaluation as a self-contained HTML page: Kaplan–Meier curves and a balance (Love) plot drawn as SVG
// on the server, with the numbers in tables too, so it reads without scripts and with a screen reader.
import { scaleLinear } from 'd3-scale';
import { area, curveStepAfter, line } from 'd3-shape';
import type { Analysis, Evaluation, KmPoint } from './evaluate.js';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const fmt = (x: number | null, d = 3) => (x === null || !Number.isFinite(x) ? 'n/a' : x.toFixed(d));
const pct = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : 'n/a');

const W = 640;
const H = 320;
const M = { top: 16, right: 24, bottom: 44, left: 56 };
const COLOURS = { treated: '#1d70b8', comparison: '#d4351c' } as const;

/** Survival just after each time at which it is reported, plus the start (time 0, S = 1). */
function stepPoints(rows: KmPoint[]): KmPoint[] {
  return [{ time: 0, atRisk: rows[0]?.atRisk ?? 0, events: 0, survival: 1, lower: 1, upper: 1 }, ...rows];
}

/** Kaplan–Meier curves of both arms as an accessible SVG (title and desc; the numbers belong in a table beside it). */
export function kmSvg(a: Analysis, id: string, outcome: string): string {
  const arms = ['treated', 'comparison'] as const;
  const maxTime = Math.max(1, ...arms.flatMap((arm) => a.survival.km[arm].map((r) => r.time)));
  const minS = Math.min(...arms.flatMap((arm) => a.survival.km[arm].map((r) => r.lower ?? r.survival)), 1);
  const x = scaleLinear().domain([0, maxTime]).range([M.left, W - M.right]);
  const y = scaleLinear().domain([Math.max(0, Math.floor(minS * 20) / 20 - 0.05), 1]).range([H - M.bottom, M.top]).nice();
  const pathFor = line<KmPoint>().x((p) => x(p.time)).y((p) => y(p.survival)).curve(curveStepAfter);
  const bandFor = area<KmPoint>()
    .defined((p) => p.lower !== null && p.upper !== null)
    .x((p) => x(p.time))
    .y0((p) => y(p.lower ?? p.survival))
    .y1((p) => y(p.upper ?? p.survival))
    .curve(curveStepAfter);
  const years = Math.floor(maxTime / 365.25);
  const xTicks = Array.from({ length: years + 1 }, (_, k) => Math.round(k * 365.25)).filter((t) => t <= maxTime);
  const yTicks = y.ticks(5);
  const hr = a.survival.cox;
  return `<svg role="img" aria-labelledby="${id}-title ${id}-desc" viewBox="0 0 ${W} ${H}" width="100%" class="evaluation-chart">
<title id="${id}-title">Kaplan–Meier curves: proportion of men without ${esc(outcome)} reoffending, by time since release</title>
<desc id="${id}-desc">Treated (blue) and comparison (red) survival curves with 95% confidence bands. Cox hazard ratio ${fmt(hr.hazardRatio)} (95% CI ${fmt(hr.ci95[0])} to ${fmt(hr.ci95[1])}). The numbers are in the table below.</desc>
${arms.map((arm) => `<path d="${bandFor(stepPoints(a.survival.km[arm])) ?? ''}" fill="${COLOURS[arm]}" fill-opacity="0.12" stroke="none"/>`).join('\n')}
${arms.map((arm) => `<path d="${pathFor(stepPoints(a.survival.km[arm])) ?? ''}" fill="none" stroke="${COLOURS[arm]}" stroke-width="2"/>`).join('\n')}
<g font-size="12" fill="#0b0c0c">
<line x1="${M.left}" x2="${W - M.right}" y1="${H - M.bottom}" y2="${H - M.bottom}" stroke="#0b0c0c"/>
<line x1="${M.left}" x2="${M.left}" y1="${M.top}" y2="${H - M.bottom}" stroke="#0b0c0c"/>
${xTicks.map((t, k) => `<text x="${x(t)}" y="${H - M.bottom + 16}" text-anchor="middle">${k}</text>`).join('')}
${yTicks.map((t) => `<text x="${M.left - 6}" y="${y(t) + 4}" text-anchor="end">${t.toFixed(2)}</text>`).join('')}
<text x="${(M.left + W - M.right) / 2}" y="${H - 8}" text-anchor="middle">Years since release</text>
<text transform="translate(14 ${(M.top + H - M.bottom) / 2}) rotate(-90)" text-anchor="middle">Proportion not reoffended</text>
<text x="${W - M.right - 4}" y="${M.top + 12}" text-anchor="end" fill="${COLOURS.treated}">Treated</text>
<text x="${W - M.right - 4}" y="${M.top + 28}" text-anchor="end" fill="${COLOURS.comparison}">Comparison</text>
</g></svg>`;
}

/** Balance (Love) plot of SMDs before and after matching as an accessible SVG. */
export function loveSvg(a: Analysis, id: string): string {
  const rowH = 26;
  const h = M.top + M.bottom + rowH * a.balance.length;
  const extent = Math.max(0.25, ...a.balance.flatMap((b) => [Math.abs(b.smdBefore), Math.abs(b.smdAfter)])) * 1.1;
  const x = scaleLinear().domain([-extent, extent]).range([160, W - M.right]);
  const t = a.detail.smdThreshold;
  const rows = a.balance
    .map((b, k) => {
      const cy = M.top + rowH * (k + 0.5);
      return `<text x="152" y="${cy + 4}" text-anchor="end">${esc(b.covariate)}</text>
<circle cx="${x(b.smdBefore)}" cy="${cy}" r="5" fill="none" stroke="#505a5f" stroke-width="2"><title>${esc(b.covariate)} before matching: ${fmt(b.smdBefore)}</title></circle>
<circle cx="${x(b.smdAfter)}" cy="${cy}" r="5" fill="${Math.abs(b.smdAfter) > t ? '#d4351c' : '#00703c'}"><title>${esc(b.covariate)} after matching: ${fmt(b.smdAfter)}</title></circle>`;
    })
    .join('\n');
  return `<svg role="img" aria-labelledby="${id}-title ${id}-desc" viewBox="0 0 ${W} ${h}" width="100%" class="evaluation-chart">
<title id="${id}-title">Covariate balance (Love plot): standardised mean differences before and after matching</title>
<desc id="${id}-desc">Open circles before matching, filled circles after; dashed lines at ±${t}. Filled red circles exceed the threshold after matching. The numbers are in the balance table.</desc>
<g font-size="12" fill="#0b0c0c">
<line x1="${x(0)}" x2="${x(0)}" y1="${M.top}" y2="${h - M.bottom}" stroke="#0b0c0c"/>
${[-t, t].map((v) => `<line x1="${x(v)}" x2="${x(v)}" y1="${M.top}" y2="${h - M.bottom}" stroke="#505a5f" stroke-dasharray="4 3"/>`).join('')}
${rows}
${x.ticks(6).map((v) => `<text x="${x(v)}" y="${h - M.bottom + 16}" text-anchor="middle">${v.toFixed(2)}</text>`).join('')}
<text x="${(160 + W - M.right) / 2}" y="${h - 8}" text-anchor="middle">Standardised mean difference (treated − comparison)</text>
</g></svg>`;
}

/** Survival by whole years since release: the curve's numbers without thousands of rows. */
function kmYearRows(rows: KmPoint[]): Array<{ year: number; row: KmPoint }> {
  const out: Array<{ year: number; row: KmPoint }> = [];
  const maxTime = rows.length ? rows[rows.length - 1].time : 0;
  for (let year = 1; year * 365.25 <= maxTime; year++) {
    let last: KmPoint | undefined;
    for (const r of rows) if (r.time <= year * 365.25) last = r;
    if (last) out.push({ year, row: last });
  }
  return out;
}

function analysisHtml(a: Analysis, id: string, outcome: string): string {
  const w = a.window;
  const tr = kmYearRows(a.survival.km.treated);
  const co = new Map(kmYearRows(a.survival.km.comparison).map((r) => [r.year, r.row]));
  return `<h3>Men</h3>
<table><thead><tr><th scope="col"></th><th scope="col">Treated</th><th scope="col">Comparison</th></tr></thead><tbody>
<tr><th scope="row">In the cohort</th><td>${a.counts.treated}</td><td>${a.counts.comparison}</td></tr>
<tr><th scope="row">In the matched sample</th><td>${a.counts.matchedTreated}</td><td>${a.counts.matchedComparison}</td></tr>
</tbody></table>
<h3>Balance</h3>
${loveSvg(a, `${id}-love`)}
<table><caption>Standardised mean differences (pooled SD of the unmatched sample); |SMD| above ${a.detail.smdThreshold} is flagged</caption>
<thead><tr><th scope="col">Covariate</th><th scope="col">Before</th><th scope="col">After</th><th scope="col">Above threshold after matching</th></tr></thead><tbody>
${a.balance.map((b) => `<tr><th scope="row">${esc(b.covariate)}</th><td>${fmt(b.smdBefore)}</td><td>${fmt(b.smdAfter)}</td><td>${Math.abs(b.smdAfter) > a.detail.smdThreshold ? 'Yes' : 'No'}</td></tr>`).join('\n')}
</tbody></table>
<h3>Reconviction within ${w.days} days</h3>
<table><thead><tr><th scope="col"></th><th scope="col">Men</th><th scope="col">Reconvicted</th><th scope="col">Rate (95% CI)</th></tr></thead><tbody>
<tr><th scope="row">Treated</th><td>${w.treated.n}</td><td>${w.treated.events}</td><td>${pct(w.treated.rate)} (${pct(w.treated.ci95[0])} to ${pct(w.treated.ci95[1])})</td></tr>
<tr><th scope="row">Comparison</th><td>${w.comparison.n}</td><td>${w.comparison.events}</td><td>${pct(w.comparison.rate)} (${pct(w.comparison.ci95[0])} to ${pct(w.comparison.ci95[1])})</td></tr>
</tbody></table>
<p>Risk difference ${fmt(w.riskDifference.estimate, 4)} (95% CI ${fmt(w.riskDifference.ci95[0], 4)} to ${fmt(w.riskDifference.ci95[1], 4)}); relative risk ${fmt(w.relativeRisk.estimate)} (${fmt(w.relativeRisk.ci95[0])} to ${fmt(w.relativeRisk.ci95[1])}); odds ratio ${fmt(w.oddsRatio.estimate)} (${fmt(w.oddsRatio.ci95[0])} to ${fmt(w.oddsRatio.ci95[1])}).</p>
<h3>Time to ${esc(outcome)} reoffence</h3>
${kmSvg(a, `${id}-km`, outcome)}
<p>Log-rank chi-square ${fmt(a.survival.logRank.chisq)} on 1 df, p = ${a.survival.logRank.p.toPrecision(3)}. Cox hazard ratio ${fmt(a.survival.cox.hazardRatio)} (95% CI ${fmt(a.survival.cox.ci95[0])} to ${fmt(a.survival.cox.ci95[1])}), p = ${a.survival.cox.p.toPrecision(3)}.</p>
<table><caption>Kaplan–Meier estimates by year since release (95% CI)</caption>
<thead><tr><th scope="col">Year</th><th scope="col">Treated</th><th scope="col">Comparison</th></tr></thead><tbody>
${tr.map(({ year, row }) => { const c = co.get(year); return `<tr><th scope="row">${year}</th><td>${fmt(row.survival)} (${fmt(row.lower)} to ${fmt(row.upper)})</td><td>${c ? `${fmt(c.survival)} (${fmt(c.lower)} to ${fmt(c.upper)})` : 'n/a'}</td></tr>`; }).join('\n')}
</tbody></table>
${a.detail.notes.map((n) => `<p><strong>Note:</strong> ${esc(n)}</p>`).join('\n')}`;
}

export function renderHtmlReport(result: Evaluation, context: { outcome: string; cohortFile: string }): string {
  const bands = Object.entries(result.byRiskBand ?? {})
    .map(([band, a]) => `<section><h2>Risk band: ${esc(band)}</h2>${'error' in a ? `<p>Not analysed: ${esc(a.error)}</p>` : analysisHtml(a, `band-${band}`, context.outcome)}</section>`)
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>SOTP outcome evaluation: ${esc(context.outcome)} reoffending</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font-family:Arial,sans-serif;max-width:760px;margin:2em auto;padding:0 1em;color:#0b0c0c}table{border-collapse:collapse;margin:1em 0}th,td{border-bottom:1px solid #b1b4b6;padding:4px 10px;text-align:left}caption{text-align:left;font-weight:bold;margin-bottom:4px}svg{display:block;margin:1em 0}.evaluation-chart{max-width:640px}</style>
</head><body><main>
<h1>Outcome evaluation: ${esc(context.outcome)} reoffending</h1>
<p>Cohort file ${esc(context.cohortFile)}: ${result.input.rows} rows, SHA-256 <code>${result.input.sha256}</code>.</p>
<section><h2>All men</h2>${analysisHtml(result, 'all', context.outcome)}</section>
${bands}
</main></body></html>
`;
}
