/**
 * Lua sources. Each step is a function over the keys it is given, so a step
 * runs alone (one slot) or several run together in one atomic script when
 * every key shares a slot. Times are the caller's epoch seconds.
 *
 * The companion is one string, `v:c:u:e:h:s:i` (version, createdAt, updatedAt,
 * expiresAt, SHA-1 hex of the value it describes, successor or empty, JSON
 * list of index keys): one SET to write and one MGET with the record to read.
 * `meta.ts` reads the same format.
 */

// The companion describes the record only if it was written with this very
// value: OpenResty's save_info rewrites a record in place with a plain SET, and
// the changed value must then count as a new version, with the expiry the
// record really has. A record with no companion was written by OpenResty.
const ENCODE = `
local function encode(v, c, u, e, h, s, i)
  return table.concat({ v, c, u, e or '', h, s or '', i }, ':')
end
`

export const STATE = `${ENCODE}
local function state(rec, comp, now)
  local value = redis.call('GET', rec)
  if not value then return nil end
  local st = { value = value, version = 0, successor = false, created = 0, updated = 0, expires = false, indexes = '[]' }
  local raw = redis.call('GET', comp)
  local v, c, u, e, h, s, i
  if raw then v, c, u, e, h, s, i = string.match(raw, '^(%d+):(%d+):(%d+):(%d*):(%x*):([^:]*):(.*)$') end
  if v then
    st.version, st.created, st.updated, st.indexes = tonumber(v), tonumber(c), tonumber(u), i
    if s ~= '' then st.successor = s end
    if h == redis.sha1hex(value) then st.expires = tonumber(e) or false else st.version = st.version + 1 end
  end
  if not st.expires then
    local pttl = redis.call('PTTL', rec)
    if pttl >= 0 then st.expires = now + math.ceil(pttl / 1000) end
  end
  return st
end
local function live(st, now)
  return st ~= nil and (st.expires == false or st.expires > now)
end
`

export const PUT = `
local function put(rec, comp, value, ttl, now, created, indexes)
  redis.call('SET', rec, value, 'EX', ttl)
  redis.call('SET', comp, encode(1, created, now, now + ttl, redis.sha1hex(value), false, indexes), 'EX', ttl)
end
`

// Marks a record replaced and cuts its TTL to staleTtl, never lengthening it.
export const REPLACE = `
local function replace(rec, comp, now, version, successor, stale, created)
  local st = state(rec, comp, now)
  if not live(st, now) or st.version ~= version or st.successor then return false end
  local pttl = redis.call('PTTL', rec)
  local expires = st.expires
  if pttl < 0 or pttl > stale * 1000 then
    redis.call('EXPIRE', rec, stale)
    pttl, expires = stale * 1000, now + stale
  end
  if st.created == 0 then st.created = created end
  local meta = encode(version + 1, st.created, now, expires, redis.sha1hex(st.value), successor, '[]')
  redis.call('SET', comp, meta, 'PX', pttl)
  return true
end
`

// Adds a member scored by its expiry and keeps the index alive as long as
// its longest-lived member: the TTL only ever grows (the reference sets it to
// the newest session's, which can drop a longer-lived entry). EXPIRE GT
// lengthens a TTL (and counts a key without one as endless), NX gives a new
// index its first: one call where a PTTL and an EXPIRE took two.
// Entries dead at now are pruned on about one write in eight: those whose new
// member (a random base64url key) starts with one of the 8 characters whose
// code is a multiple of 8. Reads filter by now anyway; the prune only bounds
// what a subject that keeps logging in piles up, and skipping it saves two
// Redis calls per write most of the time.
export const INDEX = `
local function index(idx, now, ttl, member, old)
  if string.byte(member, 1) % 8 == 0 then redis.call('ZREMRANGEBYSCORE', idx, '-inf', now) end
  redis.call('ZADD', idx, now + ttl, member)
  if old then redis.call('ZREM', idx, old) end
  if redis.call('EXPIRE', idx, ttl, 'GT') == 0 then redis.call('EXPIRE', idx, ttl, 'NX') end
end
`

const DROP = `
local function drop(rec, comp, now)
  local st = state(rec, comp, now)
  redis.call('DEL', rec, comp)
  return { live(st, now) and 1 or 0, st and st.indexes or '[]', st and st.value }
end
`

/** KEYS rec comp; ARGV value ttl now created indexes → 1. */
export const PUT_RECORD = `${ENCODE}${PUT}
put(KEYS[1], KEYS[2], ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4], ARGV[5])
return 1`

/** KEYS rec comp; ARGV now version successor staleTtl created → 1 | 0 (conflict). */
export const REPLACE_RECORD = `${STATE}${REPLACE}
local ok = replace(KEYS[1], KEYS[2], tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3], tonumber(ARGV[4]), ARGV[5])
return ok and 1 or 0`

/** KEYS idx...; ARGV now ttl member [old] → 1. */
export const ADD_INDEX = `${INDEX}
for i = 1, #KEYS do index(KEYS[i], tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3], ARGV[4]) end
return 1`

/** KEYS rec comp; ARGV now → {wasLive, indexesJson, value (absent when there was none)}. */
export const DROP_RECORD = `${STATE}${DROP}
return drop(KEYS[1], KEYS[2], tonumber(ARGV[1]))`

/**
 * A fresh write (no rotation) in one script, the hot path: KEYS rec comp idx...;
 * ARGV value ttl now created member → 1. The companion lists the index keys it was given.
 */
export const CREATE = `${ENCODE}${PUT}${INDEX}
local now, ttl = tonumber(ARGV[3]), tonumber(ARGV[2])
local indexes = #KEYS > 2 and cjson.encode({ unpack(KEYS, 3) }) or '[]'
put(KEYS[1], KEYS[2], ARGV[1], ttl, now, ARGV[4], indexes)
for i = 3, #KEYS do index(KEYS[i], now, ttl, ARGV[5], false) end
return 1`

/**
 * A rotation in one script: the conflict check, the old record's cut, the new
 * record and every index entry moved. KEYS rec comp oldRec oldComp idx...;
 * ARGV value ttl now created indexes version successor staleTtl old member → 1 | 0.
 */
export const ROTATE = `${STATE}${PUT}${REPLACE}${INDEX}
local now, ttl = tonumber(ARGV[3]), tonumber(ARGV[2])
if not replace(KEYS[3], KEYS[4], now, tonumber(ARGV[6]), ARGV[7], tonumber(ARGV[8]), ARGV[4]) then return 0 end
put(KEYS[1], KEYS[2], ARGV[1], ttl, now, ARGV[4], ARGV[5])
for i = 5, #KEYS do index(KEYS[i], now, ttl, ARGV[10], ARGV[9]) end
return 1`

/** KEYS rec comp; ARGV value version now → 1 | 0 (conflict). Keeps the record's TTL. */
export const UPDATE = `${STATE}
local version, now = tonumber(ARGV[2]), tonumber(ARGV[3])
local st = state(KEYS[1], KEYS[2], now)
if not live(st, now) or st.version ~= version then return 0 end
local pttl = redis.call('PTTL', KEYS[1])
redis.call('SET', KEYS[1], ARGV[1], 'KEEPTTL')
local meta = encode(version + 1, st.created, now, st.expires, redis.sha1hex(ARGV[1]), st.successor, st.indexes)
if pttl >= 0 then redis.call('SET', KEYS[2], meta, 'PX', pttl) else redis.call('SET', KEYS[2], meta) end
return 1`

/**
 * KEYS rec comp; ARGV at → 1 | 0. Raises the companion's updatedAt; only a
 * companion that describes the record's current value (a record OpenResty
 * wrote or rewrote keeps its unknown times), no successor, still live.
 */
export const TOUCH = `${ENCODE}
local raw = redis.call('GET', KEYS[2])
if not raw then return 0 end
local v, c, u, e, h, s, i = string.match(raw, '^(%d+):(%d+):(%d+):(%d*):(%x*):([^:]*):(.*)$')
local at = tonumber(ARGV[1])
if not v or s ~= '' or tonumber(u) >= at or (e ~= '' and tonumber(e) <= at) then return 0 end
local value = redis.call('GET', KEYS[1])
if not value or redis.sha1hex(value) ~= h then return 0 end
redis.call('SET', KEYS[2], encode(v, c, at, e, h, s, i), 'KEEPTTL')
return 1`

/** KEYS rec comp idx...; ARGV now member → 1. The record goes with its index entries. */
export const REMOVE = `${STATE}${DROP}
drop(KEYS[1], KEYS[2], tonumber(ARGV[1]))
for i = 3, #KEYS do redis.call('ZREM', KEYS[i], ARGV[2]) end
return 1`

/** KEYS nbf; ARGV time (the caller's now) until → 1. Keeps the later time and the later end. */
export const NOT_BEFORE = `
local cur = redis.call('GET', KEYS[1])
local now = tonumber(ARGV[1])
local time, untl = now, tonumber(ARGV[2])
if cur then
  local t, u = string.match(cur, '^(%d+):(%d+)$')
  if t and tonumber(t) > time then time = tonumber(t) end
  if u and tonumber(u) > untl then untl = tonumber(u) end
end
redis.call('SET', KEYS[1], time .. ':' .. untl, 'EX', math.max(1, untl - now))
return 1`
