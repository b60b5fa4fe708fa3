-- The whole Redis work of one Parley message as one script, for the load tool's ceiling: what
-- message-svc's send.lua, notification-svc's create.lua and XACK, frontend-svc's PUBLISH and the
-- delivery ack do, with the same key shapes and sizes. No KEYS (standalone only): names are built
-- from ARGV[1], a random pair number from redis-benchmark's __rand_int__.
local pair = ARGV[1]
local s, r = 's' .. pair .. '@bench.example.com', 'r' .. pair .. '@bench.example.com'
local now = redis.call('TIME')
local ts = now[1] .. '.' .. now[2]
-- message-svc: message + conversation + indexes + event
local id = redis.call('INCR', 'message_id_counter')
local msg = cjson.encode({id = id, sender_email = s, receiver_email = r, content = 'bench content of a typical short message', timestamp = ts})
redis.call('SET', 'message:' .. id, msg)
local conv = 'conversation:' .. r .. ':' .. s
redis.call('HSET', conv, 'a', r, 'b', s, 'last_message_id', id, 'updated_at', ts)
redis.call('HINCRBY', conv, 'message_count', 1)
redis.call('HINCRBY', conv, 'unread:' .. r, 1)
redis.call('ZADD', conv .. ':messages', id, id)
redis.call('ZADD', 'user:' .. s .. ':conversations', id, r)
redis.call('ZADD', 'user:' .. r .. ':conversations', id, s)
redis.call('ZADD', 'user:' .. s .. ':messages', id, id)
redis.call('ZADD', 'user:' .. r .. ':messages', id, id)
local entry = redis.call('XADD', 'events:messages', 'MAXLEN', '~', '1000000', '*', 'type', 'MessageSent', 'event_id', 'e' .. id, 'occurred_at', ts, 'v', '1',
  'message_id', id, 'sender_email', s, 'receiver_email', r, 'preview', 'bench content of a typical short message')
-- notification-svc: subscribed? dedupe, list + pending, trims, ack
redis.call('HGET', 'subscriptions', r)
redis.call('SET', 'notification_event:e' .. id, entry, 'EX', 604800)
local json = cjson.encode({id = entry, sender_email = s, receiver_email = r, message_id = id, preview = 'bench content of a typical short message', timestamp = ts, read = false})
redis.call('RPUSH', 'notifications:' .. r, json)
redis.call('LTRIM', 'notifications:' .. r, -500, -1)
redis.call('ZADD', 'notifications:' .. r .. ':pending', tonumber(string.match(entry, '^(%d+)-')), entry)
redis.call('ZREMRANGEBYRANK', 'notifications:' .. r .. ':pending', 0, -501)
-- frontend-svc: live fan-out, then the delivery ack
redis.call('PUBLISH', 'notify:' .. r, json)
redis.call('ZREM', 'notifications:' .. r .. ':pending', entry)
return id
