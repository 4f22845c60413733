/**
 * What jsdom lacks that Lumino and JupyterLab's UI components use when they load (as @jupyterlab/testutils'
 * jest shim provides).
 */
if (typeof window !== 'undefined') {
  const globals = window as unknown as Record<string, unknown>;
  if (!('DragEvent' in window)) {
    globals.DragEvent = class DragEvent extends MouseEvent {
      readonly dataTransfer: null = null;
    };
  }
  if (!('matchMedia' in window)) {
    globals.matchMedia = (query: string) => ({
      matches: false,
      media: query,
      onchange: null,
      addListener: () => undefined,
      removeListener: () => undefined,
      addEventListener: () => undefined,
      removeEventListener: () => undefined,
      dispatchEvent: () => false
    });
  }
}
