// Inside src-main/core and src-main/browser, `import … from 'electron'` resolves to this empty
// module (see the `paths` entry in src-main/tsconfig.json), so any such import fails to type-check:
// the core also runs in plain Node (browser mode, tests), where there is no electron.
export {};
