// The harm monitor's chart as data: each look's statistic against its harm (and benefit) boundary, laid out for
// an SVG of a fixed size. The template draws it (src/web/routes/evaluations/monitor.njk); nothing here writes markup.
import { scaleLinear, scalePoint } from 'd3-scale';
import { line } from 'd3-shape';
import type { Frame } from './report-charts.js';

const W = 640;
const H = 320;
const M = { top: 16, right: 24, bottom: 44, left: 56 };

export interface ChartLook {
  date: string;
  statistic: number;
  boundary: { harm: number | null; benefit: number | null };
}

export interface MonitorChart {
  frame: Frame;
  statistic: string;
  harm: string;
  benefit: string | null;
  zeroY: number;
  points: Array<{ x: number; y: number; date: string; statistic: number }>;
  xTicks: Array<{ x: number; label: string }>;
  yTicks: Array<{ y: number; label: string }>;
}

/** The statistic look by look with the boundaries; a boundary not yet reachable (null) leaves a gap. */
export function monitorChart(looks: readonly ChartLook[]): MonitorChart {
  const values = looks.flatMap((l) => [l.statistic, l.boundary.harm ?? 0, l.boundary.benefit ?? 0]);
  const top = Math.max(3, ...values) + 0.5;
  const bottom = Math.min(-1, ...values) - 0.5;
  const x = scalePoint<string>()
    .domain(looks.map((l) => l.date))
    .range([M.left, W - M.right])
    .padding(0.5);
  const y = scaleLinear()
    .domain([bottom, top])
    .range([H - M.bottom, M.top])
    .nice();
  const path = (value: (l: ChartLook) => number | null) =>
    line<ChartLook>()
      .defined((l) => value(l) !== null)
      .x((l) => x(l.date) ?? 0)
      .y((l) => y(value(l) ?? 0))(looks as ChartLook[]) ?? '';
  const hasBenefit = looks.some((l) => l.boundary.benefit !== null);
  return {
    frame: { width: W, height: H, left: M.left, right: W - M.right, top: M.top, bottom: H - M.bottom },
    statistic: path((l) => l.statistic),
    harm: path((l) => l.boundary.harm),
    benefit: hasBenefit ? path((l) => l.boundary.benefit) : null,
    zeroY: y(0),
    points: looks.map((l) => ({ x: x(l.date) ?? 0, y: y(l.statistic), date: l.date, statistic: l.statistic })),
    xTicks: looks.map((l) => ({ x: x(l.date) ?? 0, label: l.date.slice(0, 7) })),
    yTicks: y.ticks(6).map((t) => ({ y: y(t), label: String(t) })),
  };
}
