/** A fixed-row-height virtual list: only the rows in view (plus a margin) are in the DOM, whatever the row count. */

import { useCallback, useEffect, useLayoutEffect, useRef, useState, type ReactNode } from "react";

const maxScrollHeight = 30_000_000;

export interface VirtualListHandle {
  scrollToRow(row: number): void;
}

export function VirtualList({ count, rowHeight, height, renderRow, className, overscan = 10, onHandle, follow = false, label }: {
  count: number; rowHeight: number; height: string; renderRow: (row: number) => ReactNode; className?: string; overscan?: number;
  onHandle?: (handle: VirtualListHandle) => void; follow?: boolean; label?: string;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const [top, setTop] = useState(0);
  const [viewport, setViewport] = useState(600);
  const frame = useRef(0);
  const pinned = useRef(follow);

  const onScroll = useCallback(() => {
    cancelAnimationFrame(frame.current);
    frame.current = requestAnimationFrame(() => {
      const element = scroller.current;
      if (!element) return;
      setTop(element.scrollTop);
      pinned.current = element.scrollTop + element.clientHeight >= element.scrollHeight - rowHeight * 2;
    });
  }, [rowHeight]);

  useLayoutEffect(() => {
    const element = scroller.current;
    if (!element) return;
    setViewport(element.clientHeight);
    const observer = new ResizeObserver(() => setViewport(element.clientHeight));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  useEffect(() => {
    onHandle?.({
      scrollToRow(row) {
        const element = scroller.current;
        if (!element) return;
        const total = count * rowHeight;
        const scale = total > maxScrollHeight ? (total - element.clientHeight) / Math.max(1, maxScrollHeight - element.clientHeight) : 1;
        element.scrollTop = Math.max(0, (row * rowHeight - element.clientHeight / 3) / scale);
      },
    });
  }, [onHandle, rowHeight, count]);

  // Tailing: a list scrolled to the bottom stays there as rows arrive.
  useEffect(() => {
    const element = scroller.current;
    if (follow && pinned.current && element) element.scrollTop = element.scrollHeight;
  }, [count, follow]);

  // Browsers cap element heights (~33 M px in Chromium): longer lists map the scroll range onto the rows.
  const total = count * rowHeight;
  const contentHeight = Math.min(total, maxScrollHeight);
  const scale = total > maxScrollHeight ? (total - viewport) / Math.max(1, maxScrollHeight - viewport) : 1;
  const offset = top * scale;
  const first = Math.max(0, Math.floor(offset / rowHeight) - overscan);
  const last = Math.min(count, Math.ceil((offset + viewport) / rowHeight) + overscan);
  const rows: ReactNode[] = [];
  for (let row = first; row < last; row += 1) {
    rows.push(
      <div key={row} className="vrow" style={{ top: top + row * rowHeight - offset, height: rowHeight }}>
        {renderRow(row)}
      </div>,
    );
  }
  return (
    <div ref={scroller} className={`virtual ${className ?? ""}`} style={{ height }} onScroll={onScroll} role="list" aria-label={label} data-rows={count}>
      <div style={{ height: contentHeight, position: "relative" }}>{rows}</div>
    </div>
  );
}
