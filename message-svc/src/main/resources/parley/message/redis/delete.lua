-- Deletes a message, keeps its conversation's metadata right, appends MessageDeleted.
-- KEYS: 1 message:{id}, 2 conversation:{a}:{b}, 3 conversation:{a}:{b}:messages,
--       4 user:{sender}:messages, 5 user:{receiver}:messages,
--       6 user:{sender}:conversations, 7 user:{receiver}:conversations, 8 events:messages
-- ARGV: 1 id, 2 sender, 3 receiver, 4 nfields, 5.. event fields
if redis.call('DEL', KEYS[1]) == 0 then return 0 end
local id = tonumber(ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('ZREM', KEYS[4], ARGV[1])
redis.call('ZREM', KEYS[5], ARGV[1])
local readUpTo = tonumber(redis.call('HGET', KEYS[2], 'read_up_to:' .. ARGV[3]) or '0')
local unread = tonumber(redis.call('HGET', KEYS[2], 'unread:' .. ARGV[3]) or '0')
if id > readUpTo and unread > 0 then redis.call('HINCRBY', KEYS[2], 'unread:' .. ARGV[3], -1) end
local remaining = redis.call('HINCRBY', KEYS[2], 'message_count', -1)
if remaining <= 0 then
  redis.call('DEL', KEYS[2], KEYS[3])
  redis.call('ZREM', KEYS[6], ARGV[3])
  redis.call('ZREM', KEYS[7], ARGV[2])
elseif tonumber(redis.call('HGET', KEYS[2], 'last_message_id')) == id then
  local newest = redis.call('ZREVRANGE', KEYS[3], 0, 0)[1]
  redis.call('HSET', KEYS[2], 'last_message_id', newest)
  redis.call('ZADD', KEYS[6], newest, ARGV[3])
  redis.call('ZADD', KEYS[7], newest, ARGV[2])
end
local n = tonumber(ARGV[4])
redis.call('XADD', KEYS[8], '*', unpack(ARGV, 5, 4 + n))
return 1
