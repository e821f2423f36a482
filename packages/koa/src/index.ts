export type { SessionContext, TesseraMiddleware } from './middleware.js'
export { sessionOf, tessera } from './middleware.js'
export type { ContextSession, RegisteredData, SessionTypes } from './typed.js'
