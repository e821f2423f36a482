// Requests without sockets: a real IncomingMessage / ServerResponse pair on an
// in-memory duplex, handed to one of the HTTP bench's listeners (apps.ts).
// Used by inproc.bench.ts and instructions.ts.
import { IncomingMessage, ServerResponse } from 'node:http'
import { Duplex } from 'node:stream'
import type { ServerKind } from './common.js'

export type Listener = (req: IncomingMessage, res: ServerResponse) => void

/** A socket that takes whatever is written and never sends anything. */
class Sink extends Duplex {
  override _read(): void {}
  override _write(_chunk: unknown, _encoding: BufferEncoding, done: () => void): void {
    done()
  }
}

export interface Answer {
  readonly status: number
  readonly setCookie: string | undefined
}

export const call = (listener: Listener, path: string, cookie: string | undefined): Promise<Answer> =>
  new Promise((resolve) => {
    const socket = new Sink() as Duplex & { remoteAddress?: string }
    socket.remoteAddress = '127.0.0.1'
    const req = new IncomingMessage(socket as never)
    req.method = 'GET'
    req.url = path
    req.httpVersion = '1.1'
    req.httpVersionMajor = 1
    req.httpVersionMinor = 1
    req.headers = cookie === undefined ? { host: 'localhost' } : { host: 'localhost', cookie }
    req.push(null)
    const res = new ServerResponse(req)
    res.assignSocket(socket as never)
    res.on('finish', () => {
      const lines = res.getHeader('set-cookie')
      const pairs = lines === undefined ? [] : [lines].flat().map((l) => String(l).split(';')[0])
      resolve({ status: res.statusCode, setCookie: pairs.length === 0 ? undefined : pairs.join('; ') })
    })
    listener(req, res)
  })

/** The listener of `kind` from the checkout at `root` (this one, or a baseline's). */
export const listenerOf = async (root: string, kind: ServerKind): Promise<Listener> => {
  const { buildListener } = (await import(`${root}/bench/lib/http/apps.ts`)) as {
    buildListener: (kind: ServerKind, stats: { served: number; fresh: number }) => Listener
  }
  return buildListener(kind, { served: 0, fresh: 0 })
}
