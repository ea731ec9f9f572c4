import { useEffect, useRef } from "react";
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart as ChartJs,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type ChartConfiguration,
} from "chart.js";
import { geometryOf } from "../lib/chartGeometry";
import { usePreferences } from "../lib/preferences";

// Only what the insights draw, so the bundle carries no other chart type.
ChartJs.register(
  BarController,
  BarElement,
  CategoryScale,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  Legend,
);

export interface Series {
  label: string;
  /** Decimal strings: the tooltips show them formatted, the geometry only approximates them. */
  amounts: string[];
  /** A CSS custom property of the theme, e.g. "--chart-1". */
  color: string;
}

function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || "#888";
}

/**
 * A bar or line chart drawn by Chart.js on a canvas, in the theme's colours (redrawn when the
 * theme or language changes). The canvas is an image to assistive technology: its numbers are
 * in the table that goes with it.
 */
export function Chart({
  type,
  labels,
  series,
  asset,
  summary,
  horizontal = false,
  height = 240,
}: {
  type: "bar" | "line";
  labels: string[];
  series: Series[];
  asset: string;
  /** What the chart shows, for screen readers. */
  summary: string;
  horizontal?: boolean;
  height?: number;
}) {
  const { theme, money, tag } = usePreferences();
  const canvas = useRef<HTMLCanvasElement>(null);

  useEffect(() => {
    const el = canvas.current;
    if (!el) return;
    const text = cssVar("--text");
    const muted = cssVar("--muted");
    const grid = cssVar("--border");
    ChartJs.defaults.font.family = getComputedStyle(document.documentElement).fontFamily;
    // Axis ticks are positions on the scale Chart.js chose, not amounts from the wallet.
    const tick = (v: number | string) =>
      typeof v === "number"
        ? new Intl.NumberFormat(tag, {
            style: "currency",
            currency: asset,
            maximumFractionDigits: 2,
          }).format(v)
        : v;
    const valueAxis = {
      beginAtZero: true,
      ticks: { color: muted, callback: tick },
      grid: { color: grid },
      border: { color: grid },
    };
    const categoryAxis = {
      ticks: { color: muted, autoSkip: true, maxRotation: 0 },
      grid: { display: false },
      border: { color: grid },
    };
    const config: ChartConfiguration<"bar" | "line", number[], string> = {
      type,
      data: {
        labels,
        datasets: series.map((s) => ({
          label: s.label,
          data: s.amounts.map(geometryOf),
          backgroundColor: cssVar(s.color),
          borderColor: cssVar(s.color),
          borderWidth: type === "line" ? 2 : 0,
          borderRadius: type === "bar" ? 3 : 0,
          pointRadius: type === "line" ? (labels.length > 60 ? 0 : 2) : 0,
          maxBarThickness: 28,
        })),
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        indexAxis: horizontal ? "y" : "x",
        scales: horizontal
          ? { x: valueAxis, y: { ...categoryAxis, ticks: { ...categoryAxis.ticks, color: text } } }
          : { x: categoryAxis, y: valueAxis },
        plugins: {
          legend: { display: series.length > 1, labels: { color: text } },
          tooltip: {
            callbacks: {
              // The exact amount, formatted from its decimal string.
              label: (ctx) =>
                `${ctx.dataset.label ?? ""}: ${money(series[ctx.datasetIndex]?.amounts[ctx.dataIndex] ?? "0", asset)}`,
            },
          },
        },
      },
    };
    const chart = new ChartJs(el, config);
    return () => chart.destroy();
  }, [type, labels, series, asset, horizontal, theme, money, tag]);

  return (
    <div className="chart" style={{ height: `${height}px` }}>
      <canvas ref={canvas} role="img" aria-label={summary} />
    </div>
  );
}
