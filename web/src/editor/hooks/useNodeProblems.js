import { useEffect, useMemo, useRef, useState } from 'react';
import * as api from '../../api.js';
import { localFieldErrors } from '../forms.js';

const DELAY = 500;
const PARALLEL = 3;
const pluginIdOf = (n) => n.data?.spec?.id || n.data?.spec?.module;

/**
 * Problems of each node's configuration while the graph is edited: the
 * form's own checks (required fields, patterns) at once, and the server's
 * (POST /plugin/{id}/config/validate) once typing settles, for the nodes
 * whose plugin is installed. Answers {byNode: {id: [{field, message}]},
 * checking: Set of node ids waiting for the server}.
 */
export function useNodeProblems(nodes, pluginIndex) {
  const checks = useMemo(() => nodes
    .filter((n) => pluginIndex.has(pluginIdOf(n)))
    .map((n) => {
      const config = n.data?.spec?.init ?? {};
      return { id: n.id, plugin: pluginIdOf(n), config, form: n.data?.spec?.form, key: `${pluginIdOf(n)}\u0000${JSON.stringify(config)}` };
    }), [nodes, pluginIndex]);
  const [server, setServer] = useState({}); // id -> {key, errors}
  const asked = useRef(new Map()); // id -> key sent last
  const answered = useRef(new Map()); // id -> key answered last

  useEffect(() => {
    const sent = asked.current;
    const got = answered.current;
    const todo = checks.filter((c) => sent.get(c.id) !== c.key);
    if (!todo.length) return undefined;
    let stopped = false;
    const t = setTimeout(async () => {
      const queue = [...todo];
      const worker = async () => {
        while (queue.length && !stopped) {
          const c = queue.shift();
          sent.set(c.id, c.key);
          let errors = [];
          try {
            await api.validatePluginConfig(c.plugin, c.config);
          } catch (e) {
            if (e.status === 422) errors = e.errors.length ? e.errors.map((x) => ({ field: x.field || '', message: x.message })) : [{ field: '', message: e.detail }];
            else { sent.delete(c.id); continue; } // not an answer about the config: ask again later
          }
          if (stopped) continue;
          got.set(c.id, c.key);
          setServer((s) => ({ ...s, [c.id]: { key: c.key, errors } }));
        }
      };
      await Promise.all(Array.from({ length: PARALLEL }, worker));
    }, DELAY);
    return () => {
      stopped = true;
      clearTimeout(t);
      // What was not answered is asked again at the next run.
      for (const c of todo) if (got.get(c.id) !== c.key) sent.delete(c.id);
    };
  }, [checks]);

  return useMemo(() => {
    const byNode = {};
    const checking = new Set();
    for (const c of checks) {
      const byField = new Map();
      for (const [field, message] of Object.entries(localFieldErrors(c.form, c.config))) byField.set(field, message);
      const s = server[c.id];
      if (s && s.key === c.key) for (const e of s.errors) byField.set(e.field, e.message);
      else checking.add(c.id);
      if (byField.size) byNode[c.id] = [...byField].map(([field, message]) => ({ field, message }));
    }
    return { byNode, checking };
  }, [checks, server]);
}
