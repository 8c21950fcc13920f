// The evaluation's charts as data: Kaplan–Meier curves and a balance (Love) plot laid out for an SVG of a fixed
// size, plus the curves' numbers by year. Templates draw them (src/web/routes/evaluations/charts.njk), so the
// web page and the command line's HTML file show the same drawings; nothing here writes markup.
import { scaleLinear } from 'd3-scale';
import { area, curveStepAfter, line } from 'd3-shape';
import type { Analysis, KmPoint } from './evaluate.js';

const W = 640;
const H = 320;
const M = { top: 16, right: 24, bottom: 44, left: 56 };
const COLOURS = { treated: '#1d70b8', comparison: '#d4351c' } as const;
const ARMS = ['treated', 'comparison'] as const;

export interface Frame {
  width: number;
  height: number;
  /** The plotting area: axes are drawn along its left and bottom edges. */
  left: number;
  right: number;
  top: number;
  bottom: number;
}

export interface KmChart {
  frame: Frame;
  arms: Array<{ arm: (typeof ARMS)[number]; label: string; colour: string; curve: string; band: string }>;
  /** Whole years since release along the bottom. */
  xTicks: Array<{ x: number; label: string }>;
  yTicks: Array<{ y: number; label: string }>;
  hazardRatio: number | null;
  hazardRatioCi: [number | null, number | null];
}

export interface LoveChart {
  frame: Frame;
  /** Where covariate names end, left of the plotting area. */
  labelX: number;
  zeroX: number;
  threshold: number;
  thresholdXs: [number, number];
  rows: Array<{ covariate: string; y: number; before: { x: number; smd: number }; after: { x: number; smd: number; aboveThreshold: boolean } }>;
  xTicks: Array<{ x: number; label: string }>;
}

/** Survival just after each time at which it is reported, plus the start (time 0, S = 1). */
function stepPoints(rows: KmPoint[]): KmPoint[] {
  return [{ time: 0, atRisk: rows[0]?.atRisk ?? 0, events: 0, survival: 1, lower: 1, upper: 1 }, ...rows];
}

/** Kaplan–Meier curves of both arms with their 95% bands, on axes of years since release and proportion not reoffended. */
export function kmChart(a: Analysis): KmChart {
  const maxTime = Math.max(1, ...ARMS.flatMap((arm) => a.survival.km[arm].map((r) => r.time)));
  const minS = Math.min(...ARMS.flatMap((arm) => a.survival.km[arm].map((r) => r.lower ?? r.survival)), 1);
  const x = scaleLinear()
    .domain([0, maxTime])
    .range([M.left, W - M.right]);
  const y = scaleLinear()
    .domain([Math.max(0, Math.floor(minS * 20) / 20 - 0.05), 1])
    .range([H - M.bottom, M.top])
    .nice();
  const curve = line<KmPoint>()
    .x((p) => x(p.time))
    .y((p) => y(p.survival))
    .curve(curveStepAfter);
  const band = area<KmPoint>()
    .defined((p) => p.lower !== null && p.upper !== null)
    .x((p) => x(p.time))
    .y0((p) => y(p.lower ?? p.survival))
    .y1((p) => y(p.upper ?? p.survival))
    .curve(curveStepAfter);
  const years = Math.floor(maxTime / 365.25);
  const xTicks = Array.from({ length: years + 1 }, (_, k) => ({ time: Math.round(k * 365.25), label: String(k) })).filter((t) => t.time <= maxTime);
  return {
    frame: { width: W, height: H, left: M.left, right: W - M.right, top: M.top, bottom: H - M.bottom },
    arms: ARMS.map((arm) => ({
      arm,
      label: arm === 'treated' ? 'Treated' : 'Comparison',
      colour: COLOURS[arm],
      curve: curve(stepPoints(a.survival.km[arm])) ?? '',
      band: band(stepPoints(a.survival.km[arm])) ?? '',
    })),
    xTicks: xTicks.map((t) => ({ x: x(t.time), label: t.label })),
    yTicks: y.ticks(5).map((t) => ({ y: y(t), label: t.toFixed(2) })),
    hazardRatio: a.survival.cox.hazardRatio,
    hazardRatioCi: a.survival.cox.ci95,
  };
}

/** Standardised mean differences before and after matching, one row per covariate, with the balance threshold. */
export function loveChart(a: Analysis): LoveChart {
  const rowH = 26;
  const labelWidth = 160;
  const h = M.top + M.bottom + rowH * a.balance.length;
  const extent = Math.max(0.25, ...a.balance.flatMap((b) => [Math.abs(b.smdBefore), Math.abs(b.smdAfter)])) * 1.1;
  const x = scaleLinear()
    .domain([-extent, extent])
    .range([labelWidth, W - M.right]);
  const t = a.detail.smdThreshold;
  return {
    frame: { width: W, height: h, left: labelWidth, right: W - M.right, top: M.top, bottom: h - M.bottom },
    labelX: labelWidth - 8,
    zeroX: x(0),
    threshold: t,
    thresholdXs: [x(-t), x(t)],
    rows: a.balance.map((b, k) => ({
      covariate: b.covariate,
      y: M.top + rowH * (k + 0.5),
      before: { x: x(b.smdBefore), smd: b.smdBefore },
      after: { x: x(b.smdAfter), smd: b.smdAfter, aboveThreshold: Math.abs(b.smdAfter) > t },
    })),
    xTicks: x.ticks(6).map((v) => ({ x: x(v), label: v.toFixed(2) })),
  };
}

/** Survival at the end of each whole year since release, both arms: the curves' numbers without thousands of rows. */
export function kmByYear(a: Analysis): Array<{ year: number; treated: KmPoint; comparison?: KmPoint }> {
  const atYears = (rows: KmPoint[]) => {
    const out = new Map<number, KmPoint>();
    const maxTime = rows.length ? rows[rows.length - 1].time : 0;
    for (let year = 1; year * 365.25 <= maxTime; year++) {
      let last: KmPoint | undefined;
      for (const r of rows) if (r.time <= year * 365.25) last = r;
      if (last) out.set(year, last);
    }
    return out;
  };
  const comparison = atYears(a.survival.km.comparison);
  return [...atYears(a.survival.km.treated)].map(([year, treated]) => ({ year, treated, comparison: comparison.get(year) }));
}
