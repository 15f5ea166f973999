import { useState } from 'react';
import { useParams } from 'react-router';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api, must } from '../api/client';
import { Loading, ProblemBox } from '../ui';

const CLASSES = ['2xx', '401', '403', '404', '429', '4xx', '5xx'] as const;
type Class = (typeof CLASSES)[number];
/** Refusals stand out (ekoDB's monitoring list: failed authentication, forbidden, rate-limited). */
const COLOURS: Record<Class, string> = {
  '2xx': '#2f6f44',
  '401': '#b42318',
  '403': '#c4320a',
  '404': '#6e7781',
  '429': '#7a2e9e',
  '4xx': '#9a6700',
  '5xx': '#1b1f24',
};
const RANGES = { minute: 60, hour: 24, day: 30 } as const;

type Point = {
  at: string;
  requests: number;
  by_status: Record<Class, number>;
  p50_ms: number | null;
  p95_ms: number | null;
};

/** Stacked bars by status class, one per period: plain SVG (no chart library in the bundle). */
function Chart({ points }: { points: Point[] }) {
  const max = Math.max(1, ...points.map((p) => p.requests));
  const width = 900;
  const height = 220;
  const bar = width / Math.max(points.length, 1);
  return (
    <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label="Requests per period by status" className="chart">
      {points.map((p, i) => {
        let y = height;
        return CLASSES.map((c) => {
          const h = (p.by_status[c] / max) * (height - 10);
          y -= h;
          return h > 0 ? (
            <rect key={`${i}-${c}`} x={i * bar + 1} y={y} width={Math.max(bar - 2, 1)} height={h} fill={COLOURS[c]}>
              <title>{`${new Date(p.at).toLocaleString()}: ${p.by_status[c]} × ${c}`}</title>
            </rect>
          ) : null;
        });
      })}
    </svg>
  );
}

/** Requests per minute, hour or day by status, for the space or one key. */
export function Usage() {
  const { spaceId = '' } = useParams();
  const [granularity, setGranularity] = useState<keyof typeof RANGES>('hour');
  const [keyId, setKeyId] = useState('');
  const path = { space_id: spaceId };
  const keys = useQuery({
    queryKey: ['keys', spaceId],
    queryFn: () => must(api.GET('/api/spaces/{space_id}/api-keys', { params: { path, query: { limit: 100 } } })),
  });
  const usage = useQuery({
    queryKey: ['usage', spaceId, granularity, keyId],
    queryFn: () =>
      must(
        api.GET('/api/spaces/{space_id}/usage', {
          params: { path, query: { granularity, key_id: keyId || undefined } },
        }),
      ),
    placeholderData: keepPreviousData,
    refetchInterval: 10_000,
  });
  const points = (usage.data?.data ?? []) as Point[];
  const totals = Object.fromEntries(CLASSES.map((c) => [c, points.reduce((n, p) => n + p.by_status[c], 0)])) as Record<
    Class,
    number
  >;
  const requests = points.reduce((n, p) => n + p.requests, 0);
  const p95 = Math.max(0, ...points.map((p) => p.p95_ms ?? 0));
  return (
    <>
      <h1>Usage</h1>
      <div className="filters">
        <label>
          Period{' '}
          <select value={granularity} onChange={(e) => setGranularity(e.target.value as keyof typeof RANGES)}>
            <option value="minute">last hour, per minute</option>
            <option value="hour">last 24 hours, per hour</option>
            <option value="day">last 30 days, per day</option>
          </select>
        </label>
        <label>
          For{' '}
          <select value={keyId} onChange={(e) => setKeyId(e.target.value)}>
            <option value="">the whole space</option>
            {keys.data?.data.map((k) => (
              <option key={k.id} value={k.id}>
                key “{k.label}”
              </option>
            ))}
          </select>
        </label>
      </div>
      {usage.isPending ? <Loading what="usage" /> : <ProblemBox error={usage.error} />}
      <dl className="totals" aria-label="Totals for the period">
        <div>
          <dt>Requests</dt>
          <dd data-testid="usage-requests">{requests}</dd>
        </div>
        {CLASSES.map((c) => (
          <div key={c} className={['401', '403', '429'].includes(c) && totals[c] > 0 ? 'alarm' : undefined}>
            <dt>{c}</dt>
            <dd data-testid={`usage-${c}`}>{totals[c]}</dd>
          </div>
        ))}
        <div>
          <dt>p95 (worst period)</dt>
          <dd>{p95 ? `${p95} ms` : '—'}</dd>
        </div>
      </dl>
      <Chart points={points} />
      <ul className="legend" aria-label="Legend">
        {CLASSES.map((c) => (
          <li key={c}>
            <span className="swatch" style={{ background: COLOURS[c] }} aria-hidden="true" /> {c}
          </li>
        ))}
      </ul>
    </>
  );
}
