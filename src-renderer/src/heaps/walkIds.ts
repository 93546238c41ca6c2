// View ids name a heap view (heap.open, heap.blocks, heap.close); unique within this window.
let next = 1
export const nextWalkId = (): number => next++
