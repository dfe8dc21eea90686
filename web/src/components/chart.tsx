/** A uPlot bar/line chart that follows its container's width. */

import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

export function Chart({ title, x, series, height = 220 }: { title: string; x: number[]; series: Array<{ label: string; values: Array<number | null>; color: string; bars?: boolean }>; height?: number }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const bars = uPlot.paths.bars?.({ size: [0.6, 40] });
    const plot = new uPlot(
      {
        title,
        width: element.clientWidth || 600,
        height,
        scales: { x: { time: true } },
        series: [{}, ...series.map((s) => ({ label: s.label, stroke: s.color, fill: s.bars ? `${s.color}88` : undefined, paths: s.bars ? bars : undefined, points: { show: !s.bars } }))],
        axes: [{}, { size: 50 }],
      },
      [x, ...series.map((s) => s.values)] as uPlot.AlignedData,
      element,
    );
    const observer = new ResizeObserver(() => plot.setSize({ width: element.clientWidth, height }));
    observer.observe(element);
    return () => {
      observer.disconnect();
      plot.destroy();
    };
  }, [title, x, series, height]);
  return <div ref={box} className="chart" data-testid="chart" />;
}
