/**
 * Lua sources. Each step is a function over the keys it is given, so a step
 * runs alone (one slot) or several run together in one atomic script when
 * every key shares a slot. Times are the caller's epoch seconds.
 *
 * Companion hash fields: v version, s successor, c createdAt, u updatedAt,
 * e expiresAt, h SHA-1 of the value it describes, i JSON list of index keys.
 */

// The companion describes the record only if it was written with this very
// value: OpenResty's save_info rewrites a record in place with a plain SET, and
// the changed value must then count as a new version, with the expiry the
// record really has. A record with no companion was written by OpenResty.
const STATE = `
local function state(rec, comp)
  local value = redis.call('GET', rec)
  if not value then return nil end
  local m = redis.call('HMGET', comp, 'v', 's', 'c', 'u', 'e', 'h')
  local st = { value = value, version = 0, successor = false, created = 0, updated = 0, expires = false }
  if m[1] then
    st.version = tonumber(m[1])
    st.successor = m[2]
    st.created = tonumber(m[3]) or 0
    st.updated = tonumber(m[4]) or 0
    if m[6] == redis.sha1hex(value) then st.expires = tonumber(m[5]) else st.version = st.version + 1 end
  end
  return st
end
local function live(st, now)
  return st ~= nil and (st.expires == false or st.expires > now)
end
`

const PUT = `
local function put(rec, comp, value, ttl, now, created, indexes)
  redis.call('SET', rec, value, 'EX', ttl)
  redis.call('DEL', comp)
  redis.call('HSET', comp, 'v', 1, 'c', created, 'u', now, 'e', now + ttl, 'h', redis.sha1hex(value), 'i', indexes)
  redis.call('EXPIRE', comp, ttl)
end
`

// Marks a record replaced and cuts its TTL to staleTtl, never lengthening it.
const REPLACE = `
local function replace(rec, comp, now, version, successor, stale, created)
  local st = state(rec, comp)
  if not live(st, now) or st.version ~= version or st.successor then return false end
  local pttl = redis.call('PTTL', rec)
  local expires = st.expires or (now + math.ceil(pttl / 1000))
  if pttl < 0 or pttl > stale * 1000 then
    redis.call('EXPIRE', rec, stale)
    expires = now + stale
  end
  if st.created == 0 then st.created = created end
  redis.call('HSET', comp, 'v', version + 1, 's', successor, 'c', st.created, 'u', now, 'e', expires,
    'h', redis.sha1hex(st.value), 'i', '[]')
  redis.call('PEXPIRE', comp, redis.call('PTTL', rec))
  return true
end
`

// Adds a member scored by its expiry, prunes entries dead at now, and keeps
// the index alive as long as its longest-lived member (the reference sets the
// index TTL to the newest session's, which can drop a longer-lived entry).
const INDEX = `
local function index(idx, now, score, member, old)
  redis.call('ZREMRANGEBYSCORE', idx, '-inf', now)
  redis.call('ZADD', idx, score, member)
  if old then redis.call('ZREM', idx, old) end
  local top = redis.call('ZRANGE', idx, -1, -1, 'WITHSCORES')
  local ttl = tonumber(top[2]) - now
  if ttl > 0 then redis.call('EXPIRE', idx, ttl) end
end
`

const DROP = `
local function drop(rec, comp, now)
  local st = state(rec, comp)
  local indexes = redis.call('HGET', comp, 'i') or '[]'
  redis.call('DEL', rec, comp)
  return { live(st, now) and 1 or 0, indexes }
end
`

/** KEYS rec comp; ARGV now → false | {value, version, successor, created, updated, expires, pttl}. */
export const READ = `${STATE}
local st = state(KEYS[1], KEYS[2])
if not live(st, tonumber(ARGV[1])) then return false end
return { st.value, st.version, st.successor, st.created, st.updated, st.expires, redis.call('PTTL', KEYS[1]) }`

/** KEYS rec comp; ARGV value ttl now created indexes → 1. */
export const PUT_RECORD = `${PUT}
put(KEYS[1], KEYS[2], ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4], ARGV[5])
return 1`

/** KEYS rec comp; ARGV now version successor staleTtl created → 1 | 0 (conflict). */
export const REPLACE_RECORD = `${STATE}${REPLACE}
local ok = replace(KEYS[1], KEYS[2], tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3], tonumber(ARGV[4]), ARGV[5])
return ok and 1 or 0`

/** KEYS idx...; ARGV now score member [old] → 1. */
export const ADD_INDEX = `${INDEX}
for i = 1, #KEYS do index(KEYS[i], tonumber(ARGV[1]), ARGV[2], ARGV[3], ARGV[4]) end
return 1`

/** KEYS rec comp; ARGV now → {wasLive, indexesJson}. */
export const DROP_RECORD = `${STATE}${DROP}
return drop(KEYS[1], KEYS[2], tonumber(ARGV[1]))`

/**
 * All of a write in one script. KEYS rec comp [oldRec oldComp] idx...;
 * ARGV value ttl now created indexes hasPrevious [version successor staleTtl old] → 1 | 0.
 */
export const WRITE = `${STATE}${PUT}${REPLACE}${INDEX}
local now, ttl = tonumber(ARGV[3]), tonumber(ARGV[2])
local first, old = 3, false
if ARGV[6] == '1' then
  if not replace(KEYS[3], KEYS[4], now, tonumber(ARGV[7]), ARGV[8], tonumber(ARGV[9]), ARGV[4]) then return 0 end
  first, old = 5, ARGV[10]
end
put(KEYS[1], KEYS[2], ARGV[1], ttl, now, ARGV[4], ARGV[5])
for i = first, #KEYS do index(KEYS[i], now, now + ttl, ARGV[11], old) end
return 1`

/** KEYS rec comp; ARGV value version now → 1 | 0 (conflict). Keeps the record's TTL. */
export const UPDATE = `${STATE}
local st, version, now = state(KEYS[1], KEYS[2]), tonumber(ARGV[2]), tonumber(ARGV[3])
if not live(st, now) or st.version ~= version then return 0 end
local pttl = redis.call('PTTL', KEYS[1])
redis.call('SET', KEYS[1], ARGV[1], 'KEEPTTL')
local expires = st.expires or (pttl >= 0 and now + math.ceil(pttl / 1000)) or false
redis.call('HSET', KEYS[2], 'v', version + 1, 'c', st.created, 'u', now, 'h', redis.sha1hex(ARGV[1]))
if expires then redis.call('HSET', KEYS[2], 'e', expires) else redis.call('HDEL', KEYS[2], 'e') end
if pttl >= 0 then redis.call('PEXPIRE', KEYS[2], pttl) else redis.call('PERSIST', KEYS[2]) end
return 1`

/** KEYS rec comp idx...; ARGV now member → 1. The record goes with its index entries. */
export const REMOVE = `${STATE}${DROP}
drop(KEYS[1], KEYS[2], tonumber(ARGV[1]))
for i = 3, #KEYS do redis.call('ZREM', KEYS[i], ARGV[2]) end
return 1`

/** KEYS nbf; ARGV time until → 1. Keeps the later time and the later end. */
export const NOT_BEFORE = `
local cur = redis.call('GET', KEYS[1])
local time, untl = tonumber(ARGV[1]), tonumber(ARGV[2])
if cur then
  local t, u = string.match(cur, '^(%d+):(%d+)$')
  if t and tonumber(t) > time then time = tonumber(t) end
  if u and tonumber(u) > untl then untl = tonumber(u) end
end
redis.call('SET', KEYS[1], time .. ':' .. untl, 'EXAT', untl)
return 1`
