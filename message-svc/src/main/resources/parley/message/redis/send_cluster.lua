-- Cluster mode's send.lua: stores a message and appends its MessageSent event atomically, on the
-- conversation's shard (every key carries its hash tag {N}). The per-user indexes live on the
-- users' own slots: message-svc's projector adds the message to them from the event.
-- Ids: the shard's counter, never below (now - EPOCH) in ms x 256, times 16 plus the shard, so an
-- id is unique, names its shard (id mod 16), grows within a conversation, and is roughly in time
-- order across shards (a master's clock; 256 ids per ms per shard before it runs ahead of it).
-- KEYS: 1 message_id_counter:{N}, 2 conversation:{N}:a:b, 3 conversation:{N}:a:b:messages,
--       4 events:messages:{N}, 5 idempotency:{N}:sender:key (or the bare prefix when ARGV[12] is 0)
-- ARGV: 1 message key prefix (message:{N}:), 2 sender, 3 receiver, 4 content, 5 timestamp, 6 a, 7 b,
--       8 field receiving the new id, 9 shard, 10 shard count, 11 EPOCH (ms), 12 '1' idempotent,
--       13 nfields, 14.. event fields (name, value, ...)
-- Returns {id, 0, ''} for a new message, {id, 1, stored json or ''} for a retried idempotency key.
local idempotent = ARGV[12] == '1'
if idempotent then
  local prior = redis.call('GET', KEYS[5])
  if prior then return {tonumber(prior), 1, redis.call('GET', ARGV[1] .. prior) or ''} end
end
local t = redis.call('TIME')
local floor = (tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) - tonumber(ARGV[11])) * 256
local n = redis.call('INCR', KEYS[1])
if n < floor then
  n = floor
  redis.call('SET', KEYS[1], string.format('%.0f', n))
end
local id = n * tonumber(ARGV[10]) + tonumber(ARGV[9])
local ids = string.format('%.0f', id) -- Lua's tostring would write large numbers as 1.2e+14
local body = cjson.encode({sender_email = ARGV[2], receiver_email = ARGV[3], content = ARGV[4], timestamp = ARGV[5]})
redis.call('SET', ARGV[1] .. ids, '{"id":' .. ids .. ',' .. string.sub(body, 2))
redis.call('HSET', KEYS[2], 'a', ARGV[6], 'b', ARGV[7], 'last_message_id', ids, 'updated_at', ARGV[5])
redis.call('HINCRBY', KEYS[2], 'message_count', 1)
redis.call('HINCRBY', KEYS[2], 'unread:' .. ARGV[3], 1)
redis.call('ZADD', KEYS[3], ids, ids)
local fields = {}
local nf = tonumber(ARGV[13])
for i = 14, 13 + nf, 2 do
  fields[#fields + 1] = ARGV[i]
  if ARGV[i] == ARGV[8] then fields[#fields + 1] = ids else fields[#fields + 1] = ARGV[i + 1] end
end
redis.call('XADD', KEYS[4], '*', unpack(fields))
if idempotent then redis.call('SET', KEYS[5], ids, 'EX', 86400) end
return {id, 0, ''}
