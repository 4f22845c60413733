/**
 * The Feature Store section's list and search hits (in the sidebar), and one feature group's detail (in a
 * main-area tab): schema, statistics with histograms, commits and validation reports.
 */
import { IFeatureGroup, IFeatureGroupDetail, ISearchHit, IStatisticsAnswer } from './api';
import { histogram } from './charts';
import { el, stateBadge, table } from './dom';

/** What the user can do with the groups. */
export interface IFeatureStoreCallbacks {
  /** Open a group version's detail. */
  open(name: string, version: number): void;
}

/** The search hits when there is a search (`hits` not null), else the groups; a click opens one. */
export function groupList(groups: IFeatureGroup[], hits: ISearchHit[] | null, on: IFeatureStoreCallbacks): HTMLElement {
  if (hits !== null) {
    if (hits.length === 0) {
      return el('p', { class: 'jp-jhops-empty' }, 'Nothing matches.');
    }
    const list = el('ul', { class: 'jp-jhops-hits' });
    for (const hit of hits) {
      const label = hit.feature ? `${hit.name} v${hit.version} · ${hit.feature}` : `${hit.name} v${hit.version}`;
      const item = el('li', { class: 'jp-jhops-hit', 'data-kind': hit.kind }, `${label} (${hit.kind.replace('_', ' ')})`);
      if (hit.kind !== 'training_dataset') {
        item.setAttribute('title', 'Open the group in a tab');
        item.addEventListener('click', () => on.open(hit.name, hit.version));
      }
      list.append(item);
    }
    return list;
  }
  if (groups.length === 0) {
    return el('p', { class: 'jp-jhops-empty' }, 'No feature groups yet.');
  }
  const list = el('ul', { class: 'jp-jhops-groups' });
  for (const g of groups) {
    const item = el(
      'li',
      { class: 'jp-jhops-group-item', 'data-name': g.name, 'data-version': String(g.version), title: 'Open in a tab' },
      el('span', { class: 'jp-jhops-name' }, `${g.name} v${g.version}`),
      el('span', {}, ` ${g.rows ?? 0} rows, ${g.features.length} features, ${g.commits} commit(s)`)
    );
    item.addEventListener('click', () => on.open(g.name, g.version));
    list.append(item);
  }
  return list;
}

/** A group version: schema, the latest commit's statistics, commits, validation reports. */
export function groupDetail(g: IFeatureGroupDetail, stats: IStatisticsAnswer | null): HTMLElement {
  const charts = el('div', { class: 'jp-jhops-histograms' });
  if (stats) {
    for (const [name, column] of Object.entries(stats.statistics.columns)) {
      const data = column.kind === 'array' ? column.elements?.histogram : column.histogram;
      if (data && data.counts.length) {
        const title = column.kind === 'array' ? `${name} (elements)` : name;
        const caption = `${title} · ${column.count} values` + (column.nulls ? `, ${column.nulls} null` : '');
        charts.append(histogram(data, caption, { width: 280, height: 150, yLabel: 'count' }));
      }
    }
  }
  return el(
    'div',
    { class: 'jp-jhops-group-detail jp-jhops-detail-body', 'data-name': g.name, 'data-version': String(g.version) },
    el('h2', {}, `${g.name} v${g.version}`),
    g.description ? el('p', {}, g.description) : null,
    el('div', {},
       `primary key ${g.primary_key.join(', ')} · validation ${g.validation}` + (g.online_enabled ? ' · online' : '')),
    el('h3', {}, `Statistics${stats ? ` (${stats.statistics.rows} rows)` : ''}`),
    stats ? charts : el('p', { class: 'jp-jhops-empty' }, g.latest_commit === null ? 'No data inserted yet.' : 'Reading…'),
    el('h3', {}, 'Schema'),
    table(['feature', 'type', 'description'], g.features.map(f => [f.name, f.type, f.description])),
    el('h3', {}, 'Commits'),
    table(
      ['version', 'operation', 'rows', 'when'],
      g.commit_log
        .slice()
        .reverse()
        .map(c => [String(c.delta_version), c.operation, String(c.rows), new Date(c.committed_at * 1000).toLocaleString()])
    ),
    el('h3', {}, 'Validation reports'),
    table(
      ['commit', 'status', 'failed rules'],
      g.validation_reports
        .slice()
        .reverse()
        .map(r => [
          r.delta_version === null ? 'rejected' : String(r.delta_version),
          stateBadge(r.status, 'status'),
          r.results
            .filter(x => !x.success)
            .map(x => `${x.rule}(${x.feature ?? 'table'})`)
            .join(', ') || '-'
        ])
    )
  );
}
