-- Creates one receiver's notifications, in order, each exactly once per source event, and queues
-- them as pending: one call for all of a consumer batch's notifications to that receiver, so the
-- list is read, appended to and trimmed once per call, not once per notification.
-- KEYS: 1 notifications:{email}, 2 notifications:{email}:pending (sorted set: id scored by its
--       milliseconds), 3 notifications:{email}:horizon, 4 subscriptions (a cluster:
--       subscriptions:{<email>}),
--       5.. one per notification: notification_event:{event_id}, or for none the bare prefix
--       ending in ':' (a real key name, never '', so that a Redis user limited to its key patterns
--       may run it; on a cluster notification_event:{<email>}:…: on the receiver's slot)
-- ARGV: 1 receiver, 2 max per user, 3 dedupe ttl seconds, 4 '1' = skip when unsubscribed,
--       then per notification: proposed id ('' = from TIME), json with "__ID__" for the id
-- Returns {status, id} per notification, flattened: 1 created, 0 duplicate (already delivered),
-- 3 duplicate still pending, 2 receiver unsubscribed, 4 event older than the dedupe memory
-- (ignored). The caller has the rest: the stored json is its draft with the id.
local max, ttl = tonumber(ARGV[2]), ARGV[3]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local forgotten = now - tonumber(ttl) * 1000 -- events born before this are past the dedupe memory
local unsubscribed = ARGV[4] == '1' and redis.call('HGET', KEYS[4], ARGV[1]) == '0'
-- the newest id so far (the list's last, then each one made here): ids grow in creation order
-- per user, so "after id" never skips one
local lms, lseq
local newest = redis.call('LINDEX', KEYS[1], -1)
if newest then
  lms, lseq = string.match(cjson.decode(newest).id, '^(%d+)-(%d+)$')
  lms, lseq = tonumber(lms), tonumber(lseq)
end
local out, jsons, scored, made = {}, {}, {}, {}
for i = 5, #KEYS do
  local proposed, draft = ARGV[2 * i - 5], ARGV[2 * i - 4]
  local key = KEYS[i]
  local from_event = string.sub(key, -1) ~= ':'
  local existing = from_event and redis.call('GET', key)
  if existing then
    if made[existing] or redis.call('ZSCORE', KEYS[2], existing) then
      out[#out + 1] = 3
    else
      out[#out + 1] = 0
    end
    out[#out + 1] = existing
  else
    -- an event older than the dedupe memory may have made its notification long ago (re-read
    -- after XGROUP SETID 0 or a group created again): it is ignored, never notified twice
    local born = from_event and tonumber(string.match(proposed, '^(%d+)-') or '')
    if born and born < forgotten then
      out[#out + 1] = 4; out[#out + 1] = ''
    elseif unsubscribed then
      out[#out + 1] = 2; out[#out + 1] = ''
    else
      local ms, seq
      if proposed == '' then
        ms, seq = now, 0
      else
        ms, seq = string.match(proposed, '^(%d+)-(%d+)$')
        ms, seq = tonumber(ms), tonumber(seq)
      end
      -- not newer than the last (an entry retried after a failure, or handled by another instance
      -- meanwhile): the next id after the last
      if lms and not (ms > lms or (ms == lms and seq > lseq)) then
        ms, seq = lms, lseq + 1
      end
      lms, lseq = ms, seq
      local id = string.format('%d-%d', ms, seq)
      local json = string.gsub(draft, '__ID__', id, 1)
      if from_event then redis.call('SET', key, id, 'EX', ttl) end
      made[id] = true
      jsons[#jsons + 1] = json
      scored[#scored + 1] = ms
      scored[#scored + 1] = id
      out[#out + 1] = 1; out[#out + 1] = id
    end
  end
end
if #jsons > 0 then
  redis.call('RPUSH', KEYS[1], unpack(jsons))
  redis.call('ZADD', KEYS[2], unpack(scored))
  local excess = redis.call('LLEN', KEYS[1]) - max
  if excess > 0 then
    local removed = redis.call('LRANGE', KEYS[1], excess - 1, excess - 1)
    redis.call('LTRIM', KEYS[1], excess, -1)
    redis.call('SET', KEYS[3], cjson.decode(removed[1]).id)
  end
  local pexcess = redis.call('ZCARD', KEYS[2]) - max
  if pexcess > 0 then redis.call('ZREMRANGEBYRANK', KEYS[2], 0, pexcess - 1) end
end
return out
