import { useEffect, useRef, useState } from 'react';

/**
 * Whether the debugger is open and how high: about a third of the window
 * at first. The canvas changes size when it opens, closes or is resized:
 * refit(delay, duration) fits the graph to it again.
 */
export function useDebugPane(refit) {
  const [open, setOpen] = useState(false);
  const [height, setHeight] = useState(() => Math.round(Math.min(320, Math.max(220, window.innerHeight * 0.34))));
  const first = useRef(true);
  useEffect(() => {
    if (first.current) { first.current = false; return undefined; }
    const t = refit(80, 150);
    return () => clearTimeout(t);
  }, [open, height, refit]);
  return { open, setOpen, height, setHeight };
}
