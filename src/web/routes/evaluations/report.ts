// Presents a stored evaluation run for the report page: rounded figures, the charts as server-rendered
// SVG (the same drawings as the CLI's HTML report) and the verdict in words.
import { kmSvg, loveSvg } from '../../../domain/evaluation/report-html.js';
import type { Analysis } from '../../../domain/evaluation/evaluate.js';
import type { EvaluationRun } from '../../../services/evaluations.js';

const fixed = (x: number | null | undefined, digits = 3) => (x === null || x === undefined || !Number.isFinite(x) ? 'n/a' : x.toFixed(digits));
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

function analysisView(a: Analysis, id: string, outcome: string) {
  const w = a.window;
  return {
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
    notes: a.detail.notes,
    kmSvg: kmSvg(a, `${id}-km`, outcome),
    loveSvg: loveSvg(a, `${id}-love`),
  };
}

export function reportView(run: EvaluationRun) {
  const { result, settings } = run;
  const bands = Object.entries(result.byRiskBand ?? {}).map(([band, analysis]) => ({
    band,
    error: 'error' in analysis ? analysis.error : undefined,
    analysis: 'error' in analysis ? undefined : analysisView(analysis, `band-${band}`, settings.outcome),
  }));
  return { overall: analysisView(result, 'overall', settings.outcome), bands };
}
