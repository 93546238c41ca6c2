// jsdom has no layout engine and no ResizeObserver; VirtualList then falls back to a window-tall viewport.
globalThis.ResizeObserver ??= class {
  observe() {}
  unobserve() {}
  disconnect() {}
}
