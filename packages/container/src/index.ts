export type { TesseraRegistration } from './register.js'
export { closeTessera, registerTessera, TesseraTokens } from './register.js'
export type { ModuleLoader, OwnedStore, StoreFactory, StoreUrlOptions } from './store-url.js'
export { storeFromUrl } from './store-url.js'
