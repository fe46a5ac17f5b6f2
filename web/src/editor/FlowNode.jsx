import { memo, useEffect } from 'react';
import { BaseEdge, Handle, Position, getBezierPath, useUpdateNodeInternals } from '@xyflow/react';
import PluginIcon from '../components/PluginIcon.jsx';
import { usePaint } from './context.js';

const spread = (i, n) => `${((i + 1) * 100) / (n + 1)}%`;

/**
 * A plugin node: icon, name and one labelled handle per port (inputs on
 * top, outputs below). Memoised: it re-renders only when its own data,
 * selection or paint changes.
 */
function FlowNodeBase({ id, data, selected, type }) {
  const { nodeState, problems, active } = usePaint();
  const spec = data.spec || {};
  const meta = data.metadata || {};
  const inputs = spec.inputs || [];
  const outputs = spec.outputs || [];
  const state = active ? nodeState[id] || 'idle' : null;
  // Ports can arrive after the first render (an imported node is filled in
  // from its plugin): React Flow must measure the handles again, or the
  // edges joined to them are not drawn.
  const ports = `${inputs.join(',')}|${outputs.join(',')}`;
  const updateInternals = useUpdateNodeInternals();
  useEffect(() => { updateInternals(id); }, [id, ports, updateInternals]);
  const problem = problems[id];
  const cls = [
    'fnode', type === 'startNode' || data.start ? 'fnode-start' : '', selected ? 'is-selected' : '',
    state ? `dbg-${state}` : '', problem ? 'has-problem' : '', spec.skip ? 'is-skipped' : '', spec.block_flow ? 'is-blocked' : '',
  ].filter(Boolean).join(' ');
  return (
    <div className={cls} style={{ minWidth: Math.max(170, outputs.length * 84) }} title={problem ? problem.join('\n') : undefined}>
      {inputs.map((p, i) => (
        <Handle key={`in-${p}`} id={p} type="target" position={Position.Top} style={{ left: spread(i, inputs.length) }}
          className="port port-in" aria-label={`Input port ${p}`} />
      ))}
      {inputs.length > 0 && (
        <div className="port-labels port-labels-in" aria-hidden="true">
          {inputs.map((p, i) => <span key={p} style={{ left: spread(i, inputs.length) }}>{p}</span>)}
        </div>
      )}
      <div className="fnode-body">
        <PluginIcon icon={meta.icon} name={meta.name} group={(meta.group || [])[0]} size={26} />
        <div className="fnode-text">
          <div className="fnode-name">{meta.name || spec.className || 'Node'}</div>
          {(spec.skip || spec.block_flow || problem || state === 'error') && (
            <div className="fnode-flags">
              {spec.skip && <span className="flag">skip</span>}
              {spec.block_flow && <span className="flag">blocked</span>}
              {state === 'error' && <span className="flag flag-err">failed</span>}
              {problem && <span className="flag flag-err">{problem.length} problem{problem.length > 1 ? 's' : ''}</span>}
            </div>
          )}
        </div>
      </div>
      {outputs.length > 0 && (
        <div className="port-labels port-labels-out" aria-hidden="true">
          {outputs.map((p, i) => <span key={p} style={{ left: spread(i, outputs.length) }}>{p}</span>)}
        </div>
      )}
      {outputs.map((p, i) => (
        <Handle key={`out-${p}`} id={p} type="source" position={Position.Bottom} style={{ left: spread(i, outputs.length) }}
          className={`port port-out ${p === 'error' ? 'port-error' : ''}`} aria-label={`Output port ${p}`} />
      ))}
    </div>
  );
}

export const FlowNode = memo(FlowNodeBase);

/** Edges painted by the debugger: fired (green), void (grey) or dead (faint). */
function PaintedEdgeBase({ id, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, selected, markerEnd, data }) {
  const { edgeState, active } = usePaint();
  const [path, labelX, labelY] = getBezierPath({ sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition });
  const state = active ? edgeState[id] || 'dead' : '';
  return (
    <BaseEdge id={id} path={path} markerEnd={markerEnd} className={`fedge ${state ? `edge-${state}` : ''} ${selected ? 'is-selected' : ''}`} interactionWidth={18}
      label={data?.name || undefined} labelX={labelX} labelY={labelY} labelShowBg labelBgPadding={[4, 2]} labelBgBorderRadius={4} labelStyle={{ fontSize: 11 }} />
  );
}

export const PaintedEdge = memo(PaintedEdgeBase);

export const nodeTypes = { flowNode: FlowNode, startNode: FlowNode, condNode: FlowNode };
export const edgeTypes = { default: PaintedEdge };
