-- Turns a pending list (the layout before pending ids became a sorted set) into the sorted set,
-- atomically; does nothing to a key of any other type.
-- KEYS: 1 notifications:{email}:pending
-- Returns how many ids were moved.
if redis.call('TYPE', KEYS[1]).ok ~= 'list' then return 0 end
local ids = redis.call('LRANGE', KEYS[1], 0, -1)
redis.call('DEL', KEYS[1])
for _, id in ipairs(ids) do
  redis.call('ZADD', KEYS[1], tonumber(string.match(id, '^(%d+)-')) or 0, id)
end
return #ids
