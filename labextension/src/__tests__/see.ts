/**
 * What a user would see in a rendered view, for the component specs (run in jsdom).
 */

/** The visible text of a node, whitespace collapsed. */
export function text(node: Element): string {
  return (node.textContent ?? '').replace(/\s+/g, ' ').trim();
}

/** Colours written into the markup (attributes or inline styles): these would not follow the theme. */
export function hardCodedColours(root: Element): string[] {
  const colour = /#[0-9a-f]{3,8}\b|rgba?\(|\b(black|white|gr[ae]y|silver)\b/i;
  const found: string[] = [];
  for (const node of [root, ...root.querySelectorAll('*')]) {
    for (const name of ['fill', 'stroke', 'color', 'background', 'style']) {
      const value = node.getAttribute(name);
      if (value && colour.test(value)) {
        found.push(`<${node.tagName} ${name}="${value}">`);
      }
    }
  }
  return found;
}

/** The tick labels of a chart's axis (`x` or `y`), in drawing order. */
export function tickLabels(chart: Element, axis: 'x' | 'y'): string[] {
  return [...chart.querySelectorAll(`.jp-jhops-axis-${axis} .jp-jhops-tick text`)].map(t => t.textContent ?? '');
}

/** Whether values are evenly spaced by 1, 2 or 5 times a power of ten. */
export function roundSteps(values: number[]): boolean {
  if (values.length < 2) {
    return false;
  }
  const step = values[1] - values[0];
  const mantissa = Math.round((step / Math.pow(10, Math.floor(Math.log10(step)))) * 1e6) / 1e6;
  return [1, 2, 5].includes(mantissa) && values.every((v, i) => i === 0 || Math.abs(v - values[i - 1] - step) < step * 1e-6);
}

/** Click an element as a user would. */
export function click(node: Element | null): void {
  if (!node) {
    throw new Error('nothing to click');
  }
  node.dispatchEvent(new MouseEvent('click', { bubbles: true }));
}
