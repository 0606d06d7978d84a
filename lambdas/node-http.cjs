// Bundled in place of `node:http` (see EnvelopeFunction): node:http as `require` gives it. An ESM
// import of a built-in module copies every export, getters included, and node:http's `WebSocket`
// getter loads undici, which took a fifth of a function's init. Not `require`: esbuild would send
// it back here.
module.exports = process.getBuiltinModule('node:http');
