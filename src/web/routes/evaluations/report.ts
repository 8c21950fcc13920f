// Presents an evaluation for the report page (a stored run) and for the command line's report file (a fresh
// result): rounded figures, the charts' layouts, the verdict in words. Both render evaluations/analysis.njk.
import { readFileSync } from 'node:fs';
import type { Analysis, Evaluation, KmPoint } from '../../../domain/evaluation/evaluate.js';
import { kmByYear, kmChart, loveChart } from '../../../domain/evaluation/report-charts.js';
import { projectPath } from '../../../paths.js';
import type { EvaluationRun } from '../../../services/evaluations.js';
import { formatFixed as fixed } from '../../format.js';
import { renderTemplate } from '../../templates.js';

const percent = (x: number | null | undefined) => (x === null || x === undefined || !Number.isFinite(x) ? 'n/a' : `${(100 * x).toFixed(1)}%`);
const precise = (x: number | null | undefined) => (x === null || x === undefined || !Number.isFinite(x) ? 'n/a' : x.toPrecision(3));
// Stored runs are JSON: a value the data could not give (NaN, e.g. a p-value with no events) comes back as null.
const interval = (ci: ReadonlyArray<number | null> | null | undefined, format: (x: number | null) => string) =>
  ci ? `${format(ci[0])} to ${format(ci[1])}` : 'n/a';

/** What the hazard ratio's interval says, in words a treatment manager can act on. */
function verdict(a: Analysis): { text: string; tone: 'harm' | 'benefit' | 'unclear' } {
  const [low, high] = a.survival.cox.ci95 as Array<number | null>;
  if (low === null || high === null) return { text: 'Too few reconvictions to compare treated and untreated men.', tone: 'unclear' };
  if (low > 1) return { text: 'Treated men reoffended more than comparable untreated men: a sign of harm.', tone: 'harm' };
  if (high < 1) return { text: 'Treated men reoffended less than comparable untreated men.', tone: 'benefit' };
  return { text: 'No clear difference between treated and comparable untreated men at this sample size.', tone: 'unclear' };
}

const withInterval = (p: KmPoint | undefined) => (p ? `${fixed(p.survival)} (${fixed(p.lower)} to ${fixed(p.upper)})` : 'n/a');

function analysisView(a: Analysis, id: string, outcome: string) {
  const w = a.window;
  return {
    id,
    outcome,
    counts: a.counts,
    verdict: verdict(a),
    balance: a.balance.map((b) => ({ ...b, before: fixed(b.smdBefore), after: fixed(b.smdAfter), flagged: Math.abs(b.smdAfter) > a.detail.smdThreshold })),
    threshold: a.detail.smdThreshold,
    window: {
      days: w.days,
      arms: [
        { name: 'Treated', n: w.treated.n, events: w.treated.events, rate: percent(w.treated.rate), ci: interval(w.treated.ci95, percent) },
        { name: 'Comparison', n: w.comparison.n, events: w.comparison.events, rate: percent(w.comparison.rate), ci: interval(w.comparison.ci95, percent) },
      ],
      riskDifference: { estimate: fixed(w.riskDifference.estimate, 4), ci: interval(w.riskDifference.ci95, (x) => fixed(x, 4)) },
      relativeRisk: { estimate: fixed(w.relativeRisk.estimate), ci: interval(w.relativeRisk.ci95, (x) => fixed(x)) },
      oddsRatio: { estimate: fixed(w.oddsRatio.estimate), ci: interval(w.oddsRatio.ci95, (x) => fixed(x)) },
    },
    survival: {
      chisq: fixed(a.survival.logRank.chisq),
      logRankP: precise(a.survival.logRank.p),
      hazardRatio: fixed(a.survival.cox.hazardRatio),
      hazardRatioCi: interval(a.survival.cox.ci95, (x) => fixed(x)),
      coxP: precise(a.survival.cox.p),
    },
    kmByYear: kmByYear(a).map((y) => ({ year: y.year, treated: withInterval(y.treated), comparison: withInterval(y.comparison) })),
    notes: a.detail.notes,
    km: kmChart(a),
    love: loveChart(a),
  };
}

function evaluationView(result: Evaluation, outcome: string) {
  const bands = Object.entries(result.byRiskBand ?? {}).map(([band, analysis]) => ({
    band,
    error: 'error' in analysis ? analysis.error : undefined,
    analysis: 'error' in analysis ? undefined : analysisView(analysis, `band-${band}`, outcome),
  }));
  return { overall: analysisView(result, 'overall', outcome), bands };
}

export function reportView(run: EvaluationRun) {
  return evaluationView(run.result, run.settings.outcome);
}

/**
 * The evaluation as one self-contained HTML file, for `sotp evaluate --out`: the report page's content with
 * GOV.UK Frontend's and sotp's stylesheets inlined, so it opens anywhere without the server.
 */
export function reportFile(result: Evaluation, context: { outcome: string; cohortFile: string }): string {
  const css = ['node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.css', 'src/web/public/sotp.css']
    .map((file) => readFileSync(projectPath(...file.split('/')), 'utf8'))
    .join('\n');
  return renderTemplate('evaluations/report-file.njk', { ...context, input: result.input, css, ...evaluationView(result, context.outcome) });
}
