-- Cluster mode's delete.lua: deletes a message on its conversation's shard, keeps the conversation's
-- metadata right and appends MessageDeleted. The users' indexes (on their own slots) follow from
-- the event through message-svc's projector.
-- KEYS: 1 message:{N}:id, 2 conversation:{N}:a:b, 3 conversation:{N}:a:b:messages, 4 events:messages:{N}
-- ARGV: 1 id, 2 sender, 3 receiver, 4 nfields, 5.. event fields
if redis.call('DEL', KEYS[1]) == 0 then return 0 end
local id = tonumber(ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
local readUpTo = tonumber(redis.call('HGET', KEYS[2], 'read_up_to:' .. ARGV[3]) or '0')
local unread = tonumber(redis.call('HGET', KEYS[2], 'unread:' .. ARGV[3]) or '0')
if id > readUpTo and unread > 0 then redis.call('HINCRBY', KEYS[2], 'unread:' .. ARGV[3], -1) end
local remaining = redis.call('HINCRBY', KEYS[2], 'message_count', -1)
if remaining <= 0 then
  redis.call('DEL', KEYS[2], KEYS[3])
elseif tonumber(redis.call('HGET', KEYS[2], 'last_message_id')) == id then
  redis.call('HSET', KEYS[2], 'last_message_id', redis.call('ZREVRANGE', KEYS[3], 0, 0)[1])
end
local n = tonumber(ARGV[4])
redis.call('XADD', KEYS[4], '*', unpack(ARGV, 5, 4 + n))
return 1
