import { useCallback, useEffect, useState } from 'react';
import * as api from '../../api.js';

/** How many rules run the flow (null while unknown); reload() counts again. */
export function useRules(flowId) {
  const [count, setCount] = useState(null);
  const reload = useCallback(() => api.rulesByFlow(flowId).then(
    (r) => setCount(r?.total ?? api.rows(r).length), () => setCount(null)), [flowId]);
  useEffect(() => { reload(); }, [reload]);
  return { count, reload };
}
