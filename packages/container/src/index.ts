export type { TesseraRegistration } from './register.js'
export { closeTessera, registerTessera, TesseraTokens } from './register.js'
export type { OwnedStore } from './store-url.js'
export { storeFromUrl } from './store-url.js'
