-- Marks every message `reader` received in a conversation as read; appends MessageRead when any were unread.
-- KEYS: 1 conversation:{a}:{b}, 2 events:messages
-- ARGV: 1 reader, 2 field receiving the last message id, 3 nfields, 4.. event fields
local unread = tonumber(redis.call('HGET', KEYS[1], 'unread:' .. ARGV[1]) or '0')
local last = redis.call('HGET', KEYS[1], 'last_message_id')
if not last then return 0 end
redis.call('HSET', KEYS[1], 'unread:' .. ARGV[1], 0, 'read_up_to:' .. ARGV[1], last)
if unread > 0 then
  local fields = {}
  local n = tonumber(ARGV[3])
  for i = 4, 3 + n, 2 do
    fields[#fields + 1] = ARGV[i]
    if ARGV[i] == ARGV[2] then fields[#fields + 1] = last else fields[#fields + 1] = ARGV[i + 1] end
  end
  redis.call('XADD', KEYS[2], '*', unpack(fields))
end
return unread
