-- Creates a notification exactly once per source event and queues it as pending.
-- KEYS: 1 notification_event:{event_id}, or for none the bare prefix ending in ':' (a real key
--       name, never '', so that a Redis user limited to its key patterns may run it; on a cluster
--       notification_event:{<email>}: on the receiver's slot),
--       2 notifications:{email},
--       3 notifications:{email}:pending (sorted set: id scored by its milliseconds), 4 notifications:{email}:horizon,
--       5 subscriptions (a cluster: subscriptions:{<email>})
-- ARGV: 1 proposed id ('' = from TIME), 2 json with "__ID__" for the id, 3 receiver,
--       4 max per user, 5 dedupe ttl seconds, 6 '1' = skip when unsubscribed
-- Returns {status, id, json}: 1 created, 0 duplicate (already delivered), 3 duplicate still
-- pending, 2 receiver unsubscribed, 4 event older than the dedupe memory (ignored).
local from_event = string.sub(KEYS[1], -1) ~= ':'
if from_event then
  local existing = redis.call('GET', KEYS[1])
  if existing then
    if redis.call('ZSCORE', KEYS[3], existing) then return {3, existing, ''} end
    return {0, existing, ''}
  end
  -- an event older than the dedupe memory may have made its notification long ago (re-read
  -- after XGROUP SETID 0 or a group created again): it is ignored, never notified twice
  local t = redis.call('TIME')
  local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  local born = tonumber(string.match(ARGV[1], '^(%d+)-') or '')
  if born and born < now - tonumber(ARGV[5]) * 1000 then return {4, '', ''} end
end
if ARGV[6] == '1' and redis.call('HGET', KEYS[5], ARGV[3]) == '0' then return {2, '', ''} end
local id = ARGV[1]
if id == '' then
  local t = redis.call('TIME')
  id = (tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)) .. '-0'
end
-- Ids grow in creation order per user, so "after id" never skips one: normally the event's
-- stream id; when that is not newer than the user's last id (an entry retried after a failure,
-- or handled by another instance meanwhile), the next id after the last.
local newest = redis.call('LINDEX', KEYS[2], -1)
if newest then
  local last = cjson.decode(newest).id
  local lms, lseq = string.match(last, '^(%d+)-(%d+)$')
  local ms, seq = string.match(id, '^(%d+)-(%d+)$')
  if lms and not (tonumber(ms) > tonumber(lms) or (ms == lms and tonumber(seq) > tonumber(lseq))) then
    id = lms .. '-' .. string.format('%d', tonumber(lseq) + 1)
  end
end
local json = string.gsub(ARGV[2], '__ID__', id, 1)
if from_event then redis.call('SET', KEYS[1], id, 'EX', ARGV[5]) end
redis.call('RPUSH', KEYS[2], json)
redis.call('ZADD', KEYS[3], tonumber(string.match(id, '^(%d+)-')), id)
local max = tonumber(ARGV[4])
local excess = redis.call('LLEN', KEYS[2]) - max
if excess > 0 then
  local removed = redis.call('LRANGE', KEYS[2], 0, excess - 1)
  redis.call('LTRIM', KEYS[2], excess, -1)
  redis.call('SET', KEYS[4], cjson.decode(removed[#removed]).id)
end
local pexcess = redis.call('ZCARD', KEYS[3]) - max
if pexcess > 0 then redis.call('ZREMRANGEBYRANK', KEYS[3], 0, pexcess - 1) end
return {1, id, json}
