/**
 * Building blocks of the views: elements with attributes and children, tables, buttons, and short number
 * formats. No state and no network.
 */

/** What an element can hold: nodes, text, and nothing (null, undefined or false are skipped). */
export type Child = Node | string | null | undefined | false;

/** A DOM element with attributes and children. */
export function el(tag: string, attrs: Record<string, string> = {}, ...children: Child[]): HTMLElement {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    node.setAttribute(key, value);
  }
  for (const child of children) {
    if (child !== null && child !== undefined && child !== false) {
      node.append(child);
    }
  }
  return node;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** An SVG element with attributes and children. */
export function svg(tag: string, attrs: Record<string, string | number> = {}, ...children: Child[]): SVGElement {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attrs)) {
    node.setAttribute(key, String(value));
  }
  for (const child of children) {
    if (child !== null && child !== undefined && child !== false) {
      node.append(child);
    }
  }
  return node;
}

/** A table with a header row; cells are text or nodes. */
export function table(headers: string[], rows: Child[][], cls = 'jp-jhops-table'): HTMLElement {
  return el(
    'table',
    { class: cls },
    el('thead', {}, el('tr', {}, ...headers.map(h => el('th', {}, h)))),
    el('tbody', {}, ...rows.map(r => el('tr', {}, ...r.map(c => el('td', {}, c)))))
  );
}

/** A JupyterLab-styled button that calls `onClick` (and does not let the click reach the row under it). */
export function button(label: string, onClick: () => void, cls = 'jp-jhops-button'): HTMLElement {
  const node = el('button', { class: `jp-Button jp-mod-styled ${cls}`, type: 'button' }, label);
  node.addEventListener('click', event => {
    event.stopPropagation();
    onClick();
  });
  return node;
}

/** A state badge (RUNNING, FINISHED, ...), coloured by the stylesheet. */
export function stateBadge(state: string, prefix = 'state'): HTMLElement {
  return el('span', { class: `jp-jhops-${prefix} jp-jhops-${prefix}-${state}` }, state);
}

/** A number in four significant digits (integers as they are), anything else as text or JSON. */
export function short(value: unknown): string {
  if (typeof value === 'number') {
    return Number.isInteger(value) ? String(value) : value.toPrecision(4);
  }
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** What a section shows when the server lacks the optional part of jhops it needs, and how to install it. */
export function missingExtra(extra: string, what: string): HTMLElement {
  return el(
    'p',
    { class: 'jp-jhops-missing-extra', 'data-extra': extra },
    `${what} needs the '${extra}' extra of jhops: `,
    el('code', {}, `pip install 'jhops[${extra}]'`),
    ', then restart the Jupyter server.'
  );
}

/** A fraction as a percentage with one decimal, `-` when unknown. */
export function percent(value: number | null | undefined): string {
  return value === null || value === undefined ? '-' : `${(100 * value).toFixed(1)}%`;
}
