/**
 * @jest-environment jsdom
 */
import { IFeatureGroup, ISearchHit } from '../api';
import { groupDetail, groupList } from '../featurestore';
import { group, statistics } from './fixtures';
import { click, hardCodedColours, roundSteps, text, tickLabels } from './see';

const GROUPS: IFeatureGroup[] = [group(), group({ name: 'sar_stats', version: 2, rows: null, commits: 0, latest_commit: null })];

describe('groupList', () => {
  it('lists the groups and opens one on a click', () => {
    const open = jest.fn();
    const list = groupList(GROUPS, null, { open });
    const rows = [...list.querySelectorAll('.jp-jhops-group-item')];
    expect(rows.map(text)).toEqual(['iceberg v1 1604 rows, 3 features, 2 commit(s)', 'sar_stats v2 0 rows, 3 features, 0 commit(s)']);
    click(rows[1]);
    expect(open).toHaveBeenCalledWith('sar_stats', 2);
  });

  it('shows search hits instead; a training dataset is not a group to open', () => {
    const hits: ISearchHit[] = [
      { kind: 'feature', name: 'iceberg', version: 1, feature: 'band_1', matched: ['polarisation'], score: 2 },
      { kind: 'training_dataset', name: 'iceberg_td', version: 1, feature: null, matched: ['iceberg'], score: 1 }
    ];
    const open = jest.fn();
    const list = groupList(GROUPS, hits, { open });
    const rows = [...list.querySelectorAll('.jp-jhops-hit')];
    expect(rows.map(text)).toEqual(['iceberg v1 · band_1 (feature)', 'iceberg_td v1 (training dataset)']);
    click(rows[1]);
    expect(open).not.toHaveBeenCalled();
    click(rows[0]);
    expect(open).toHaveBeenCalledWith('iceberg', 1);
    expect(text(groupList(GROUPS, [], { open }))).toBe('Nothing matches.');
    expect(text(groupList([], null, { open }))).toBe('No feature groups yet.');
  });
});

describe('groupDetail', () => {
  it('shows a histogram with axes per numeric column and array elements, the schema, commits and reports', () => {
    const detail = groupDetail(group(), statistics());
    expect(text(detail.querySelector('h2')!)).toBe('iceberg v1');
    expect(text(detail)).toContain('Statistics (1604 rows)');
    const figures = [...detail.querySelectorAll('figure.jp-jhops-stat')];
    expect(figures.map(f => text(f.querySelector('figcaption')!))).toEqual([
      'inc_angle · 1471 values, 133 null',
      'band_1 (elements) · 1604 values'
    ]);
    for (const figure of figures) {
      const chart = figure.querySelector('svg')!;
      expect(roundSteps(tickLabels(chart, 'x').map(Number))).toBe(true);
      expect(tickLabels(chart, 'y')[0]).toBe('0');
    }
    const tables = [...detail.querySelectorAll('table')].map(t =>
      [...t.querySelectorAll('tbody tr')].map(r => [...r.querySelectorAll('td')].map(text))
    );
    expect(tables[0][1]).toEqual(['inc_angle', 'double', 'incidence angle']); // schema
    expect(tables[1].map(r => r[0])).toEqual(['1', '0']); // commits, newest first
    expect(tables[2]).toEqual([['rejected', 'FAILURE', 'HAS_MAX(is_iceberg)'], ['0', 'SUCCESS', '-']]);
    expect(hardCodedColours(detail)).toEqual([]);
  });

  it('says when a group has no data yet', () => {
    const detail = groupDetail(group({ latest_commit: null, commit_log: [] }), null);
    expect(text(detail)).toContain('No data inserted yet.');
    expect(detail.querySelectorAll('svg')).toHaveLength(0);
  });
});
