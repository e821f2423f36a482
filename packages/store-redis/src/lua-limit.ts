/**
 * Lua for writes under a per-subject limit (`maxSessionsPerSubject`): the
 * count, the evictions or the refusal, and the write, in one script, so
 * concurrent logins of one subject cannot all pass the limit. Replies are
 * `{'ok', evicted values...}`, `{'full'}` or `{'conflict'}`.
 */
import { INDEX, PUT, REPLACE, STATE } from './lua.js'

// The record and companion of an index member, as keys.ts names them: the
// member goes into the record key verbatim (base64url, like every real key);
// anything else cannot be named here and is counted by its index entry alone.
const RECORD_OF = `
local function record_of(member, head, tail, tagged)
  if not string.find(member, '^[%w_%-]+$') then return nil end
  local rec = head .. member .. tail
  if tagged then return rec, rec .. ':~meta' end
  return rec, '{' .. rec .. '}:~meta'
end
`

// Live members of the limit's indexes but `mine`, each once at its latest
// expiry, plus `extra` ones ({member, expiry} pairs), that `exists` keeps,
// oldest first.
const COUNTED = `
local function counted(idxs, now, mine, extra, exists)
  local score = {}
  local function see(m, s)
    if not mine[m] and (score[m] == nil or s > score[m]) then score[m] = s end
  end
  for _, idx in ipairs(idxs) do
    local flat = redis.call('ZRANGEBYSCORE', idx, '(' .. now, '+inf', 'WITHSCORES')
    for i = 1, #flat, 2 do see(flat[i], tonumber(flat[i + 1])) end
  end
  for _, e in ipairs(extra) do see(e[1], tonumber(e[2])) end
  local list = {}
  for m, s in pairs(score) do
    if exists(m) then table.insert(list, { m, s }) end
  end
  table.sort(list, function(a, b)
    if a[2] ~= b[2] then return a[2] < b[2] end
    return a[1] < b[1]
  end)
  return list
end
-- The members to evict (oldest first), or nil when the limit refuses instead.
local function beyond(list, max, evict)
  local excess = #list - max + 1
  local victims = {}
  if excess <= 0 then return victims end
  if not evict then return nil end
  for i = 1, excess do victims[i] = list[i][1] end
  return victims
end
`

// Deletes evicted sessions: record, companion and every index entry (those
// the companion lists and the limit's own); returns the records' values.
const EVICT = `
local function evict(victims, idxs, now, head, tail, tagged)
  local values = {}
  for _, m in ipairs(victims) do
    local rec, comp = record_of(m, head, tail, tagged)
    if rec then
      local st = state(rec, comp, now)
      redis.call('DEL', rec, comp)
      if st then
        table.insert(values, st.value)
        for _, idx in ipairs(cjson.decode(st.indexes)) do redis.call('ZREM', idx, m) end
      end
    end
    for _, idx in ipairs(idxs) do redis.call('ZREM', idx, m) end
  end
  return values
end
`

/**
 * A write under a limit, every key in one slot (always, off Cluster).
 * KEYS rec comp [oldRec oldComp] idx... limitIdx...;
 * ARGV value ttl now created member indexesJson rotation(0|1) version successor
 * staleTtl oldMember nIdx max evict(0|1) recordHead recordTail tagged(0|1).
 */
export const LIMITED = `${STATE}${PUT}${REPLACE}${INDEX}${RECORD_OF}${COUNTED}${EVICT}
local now, ttl, member = tonumber(ARGV[3]), tonumber(ARGV[2]), ARGV[5]
local rotation, old = ARGV[7] == '1', ARGV[11]
local head, tail, tagged = ARGV[15], ARGV[16], ARGV[17] == '1'
local first, n = rotation and 5 or 3, tonumber(ARGV[12])
local mine = { [member] = true }
if rotation then
  mine[old] = true
  local st = state(KEYS[3], KEYS[4], now)
  if not live(st, now) or st.version ~= tonumber(ARGV[8]) or st.successor then return { 'conflict' } end
end
local idxs = {}
for i = first + n, #KEYS do table.insert(idxs, KEYS[i]) end
-- An entry may outlive its record for a moment: only sessions whose record exists count.
local function exists(m)
  local rec = record_of(m, head, tail, tagged)
  return rec == nil or redis.call('EXISTS', rec) == 1
end
local victims = beyond(counted(idxs, now, mine, {}, exists), tonumber(ARGV[13]), ARGV[14] == '1')
if victims == nil then return { 'full' } end
if rotation then replace(KEYS[3], KEYS[4], now, tonumber(ARGV[8]), ARGV[9], tonumber(ARGV[10]), ARGV[4]) end
local reply = { 'ok' }
for _, v in ipairs(evict(victims, idxs, now, head, tail, tagged)) do table.insert(reply, v) end
put(KEYS[1], KEYS[2], ARGV[1], ttl, now, ARGV[4], ARGV[6])
for i = first, first + n - 1 do index(KEYS[i], now, ttl, member, rotation and old or false) end
return reply`

/**
 * Cluster, keys in several slots: the limit is held in the one index every
 * limited write of the subject shares (its any-audience index), by entering
 * the member there only if the count allows. Records cannot be checked from
 * this slot: entries count by their expiry. KEYS idx; ARGV now ttl member
 * old max evict(0|1) extraJson ([[member, expiry], ...], sessions not in
 * this index) → {'ok', evicted members...} | {'full'}.
 */
export const RESERVE = `${INDEX}${COUNTED}
local now, ttl, member, old = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3], ARGV[4]
local mine = { [member] = true }
if old ~= '' then mine[old] = true end
local extra = cjson.decode(ARGV[7])
local counts = counted({ KEYS[1] }, now, mine, extra, function() return true end)
local victims = beyond(counts, tonumber(ARGV[5]), ARGV[6] == '1')
if victims == nil then return { 'full' } end
local reply = { 'ok' }
for _, m in ipairs(victims) do
  redis.call('ZREM', KEYS[1], m)
  table.insert(reply, m)
end
index(KEYS[1], now, ttl, member, false)
return reply`
