// Walk ids name a walk in heap.progress events and heap.cancel; unique within this window.
let next = 1
export const nextWalkId = (): number => next++
