/** The problems under the title bar: of the draft, of a deploy or of a debug run, each node's linked to it. */
export default function ProblemsBar({ problems, count, nodeNames, onSelectNode, onDismiss }) {
  return (
    <div className="problems" role="alert">
      <strong>{count} problem{count > 1 ? 's' : ''}:</strong>
      <ul>
        {problems.general.map((p, i) => <li key={`g${i}`}>{p.edgeId ? `Edge ${p.edgeId.slice(0, 8)}: ` : ''}{p.message}</li>)}
        {Object.entries(problems.byNode).map(([id, list]) => list.map((p, i) => (
          <li key={`${id}${i}`}><button type="button" className="link-btn" onClick={() => onSelectNode(id)}>{nodeNames[id] || id}</button>{p.field ? <> · <code>{p.field}</code></> : null}: {p.message}</li>
        )))}
      </ul>
      <button type="button" className="btn btn-small btn-ghost" onClick={onDismiss}>Dismiss</button>
    </div>
  );
}
