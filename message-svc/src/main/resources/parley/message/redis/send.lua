-- Stores a message and appends its MessageSent event atomically, in one round trip.
-- KEYS: 1 message_id_counter, 2 conversation:{a}:{b}, 3 conversation:{a}:{b}:messages,
--       4 user:{sender}:conversations, 5 user:{receiver}:conversations,
--       6 user:{sender}:messages, 7 user:{receiver}:messages, 8 events:messages,
--       9 idempotency:{sender}:{key}, or the bare prefix 'idempotency:' for none (a real key,
--         never '', so that a Redis user limited to message-svc's key patterns may run it)
-- ARGV: 1 message key prefix, 2 sender, 3 receiver, 4 content, 5 timestamp,
--       6 a, 7 b, 8 field receiving the new id, 9 nfields, 10.. event fields (name, value, ...)
-- The stream is not trimmed here: message-svc's retention trims only what every group has read.
-- Returns {id, 0, ''} for a new message, {id, 1, stored json or ''} for a retried idempotency key.
local idempotent = KEYS[9] ~= 'idempotency:'
if idempotent then
  local prior = redis.call('GET', KEYS[9])
  if prior then return {tonumber(prior), 1, redis.call('GET', ARGV[1] .. prior) or ''} end
end
local id = redis.call('INCR', KEYS[1])
local msg = cjson.encode({id = id, sender_email = ARGV[2], receiver_email = ARGV[3], content = ARGV[4], timestamp = ARGV[5]})
redis.call('SET', ARGV[1] .. id, msg)
redis.call('HSET', KEYS[2], 'a', ARGV[6], 'b', ARGV[7], 'last_message_id', id, 'updated_at', ARGV[5])
redis.call('HINCRBY', KEYS[2], 'message_count', 1)
redis.call('HINCRBY', KEYS[2], 'unread:' .. ARGV[3], 1)
redis.call('ZADD', KEYS[3], id, id)
redis.call('ZADD', KEYS[4], id, ARGV[3])
redis.call('ZADD', KEYS[5], id, ARGV[2])
redis.call('ZADD', KEYS[6], id, id)
redis.call('ZADD', KEYS[7], id, id)
local fields = {}
local n = tonumber(ARGV[9])
for i = 10, 9 + n, 2 do
  fields[#fields + 1] = ARGV[i]
  if ARGV[i] == ARGV[8] then fields[#fields + 1] = tostring(id) else fields[#fields + 1] = ARGV[i + 1] end
end
redis.call('XADD', KEYS[8], '*', unpack(fields))
if idempotent then redis.call('SET', KEYS[9], id, 'EX', 86400) end
return {id, 0, ''}
