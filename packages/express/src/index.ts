export type { TesseraMiddleware } from './middleware.js'
export { sessionOf, tessera } from './middleware.js'
export { toSessionRequest } from './request.js'
export type { RegisteredData, RequestSession, SessionTypes } from './typed.js'
