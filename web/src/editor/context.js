import { createContext, useContext } from 'react';

/**
 * What the canvas paints over the graph without touching node objects (so
 * dragging does not re-render every node): debug states of nodes and edges
 * and the problems a deploy reported per node.
 */
export const PaintContext = createContext({ nodeState: {}, edgeState: {}, problems: {}, active: false });
export const usePaint = () => useContext(PaintContext);
