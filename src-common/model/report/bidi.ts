// Names from the inspected machine (processes, modules, files, command lines) are untrusted: a bidi
// control in one (U+202E RIGHT-TO-LEFT OVERRIDE …) reorders the text around it, so "gpj.exe" can
// read as "exe.jpg". Reports and views show each control as a visible escape instead ("\u202E"), and
// put names in an isolate (<bdi>) so right-to-left letters in them can't move what comes after. Pure.

/** Embeddings and overrides (U+202A–U+202E), isolates (U+2066–U+2069), the marks (U+200E, U+200F, U+061C). */
export const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/g

/** The text with every bidi control written as "\uXXXX". */
export const showControls = (s: string): string => s.replace(BIDI_CONTROLS, (c) => `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`)
